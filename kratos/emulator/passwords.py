"""Password hashing and Kratos' default password policy (minimum length, similarity to the identifier).

Hashing is PBKDF2-SHA256 from hashlib (Kratos uses bcrypt or argon2, which the standard library lacks); stored as a
PHC-style string. The HaveIBeenPwned check is not emulated: Kratos ignores its network errors by default, which is
what an offline host sees.
"""
import hashlib
import hmac
import os

ITERATIONS = 20_000
MIN_LENGTH = 8


def hash_password(password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"$pbkdf2-sha256$i={ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_password(password, stored):
    try:
        _, _, params, salt, digest = stored.split("$")
        iterations = int(params.split("=")[1])
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), iterations)
    return hmac.compare_digest(candidate.hex(), digest)


def _levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _longest_common_substring(a, b):
    best = 0
    lengths = [0] * (len(b) + 1)
    for ca in a:
        diagonal = 0
        for j, cb in enumerate(b, 1):
            above = lengths[j]
            lengths[j] = diagonal + 1 if ca == cb else 0
            best = max(best, lengths[j])
            diagonal = above
    return best


def policy_violation(password, identifier, min_length=MIN_LENGTH):
    """None, or the Kratos ui text for the password node (4000032 too short, 4000031 too similar)."""
    length = len(password.encode())
    if length < min_length:
        return {"id": 4000032, "type": "error",
                "text": f"The password must be at least {min_length} characters long, but got {length}.",
                "context": {"min_length": min_length, "actual_length": length}}
    if identifier:
        a, b = identifier.lower(), password.lower()
        if _levenshtein(a, b) < 5 or _longest_common_substring(a, b) / len(b) > 0.5:
            return {"id": 4000031, "type": "error",
                    "text": "The password can not be used because it is too similar to the identifier."}
    return None
