"""Password hashing and Kratos' default password policy (minimum length, similarity to the identifier, bcrypt's
72-byte limit, breached passwords).

Hashing is PBKDF2-SHA256 from hashlib (Kratos uses bcrypt, which the standard library lacks); stored as a PHC-style
string. Its default cost (~10 ms) keeps tests fast; `--hash-iterations BCRYPT_COST_12_ITERATIONS` costs about what
Kratos' bcrypt at cost 12 costs on the same cores, for latency figures that hold for a real Kratos.

Kratos' HaveIBeenPwned check asks api.pwnedpasswords.com; the emulator, offline, refuses the passwords of
BREACHED instead (each in the real breach corpus), with the same message (4000034), when the check is on.
"""
import hashlib
import hmac
import os

ITERATIONS = 20_000
MIN_LENGTH = 8
# Measured on the project's 2-core machine: bcrypt cost 12 (Python's bcrypt) 300-450 ms a hash, PBKDF2-SHA256 at
# 400,000 iterations 215 ms.
BCRYPT_COST_12_ITERATIONS = 600_000
# bcrypt reads at most 72 bytes: Kratos refuses longer passwords (4000033) rather than ignore the rest.
MAX_BYTES = 72
BREACHED = frozenset({"password123", "qwerty123456", "iloveyou123", "correcthorsebatterystaple", "Password1!",
                      "letmein12345"})


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


def too_long(password):
    """None, or Kratos' message for a password past bcrypt's 72 bytes (checked after the traits and the policy)."""
    length = len(password.encode())
    if length <= MAX_BYTES:
        return None
    return {"id": 4000033, "type": "error",
            "text": f"The password must be at most {MAX_BYTES} characters long, but got {length}.",
            "context": {"max_length": MAX_BYTES, "actual_length": length}}


def breached(password):
    """None, or Kratos' message for a password found in data breaches (HaveIBeenPwned, max_breaches 0)."""
    if password not in BREACHED:
        return None
    return {"id": 4000034, "type": "error",
            "text": "The password has been found in data breaches and must no longer be used.",
            "context": {"breaches": 1}}
