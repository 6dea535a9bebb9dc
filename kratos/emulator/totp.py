"""RFC 6238 time-based one-time passwords as Kratos' TOTP method uses them (pquerna/otp): a 20-byte secret in
base32 without padding, HMAC-SHA1, 6 digits, a 30-second step, and one step of skew either way."""
import base64
import hashlib
import hmac
import os
import struct
import time
import urllib.parse

DIGITS = 6
PERIOD = 30
SKEW = 1


def new_secret():
    return base64.b32encode(os.urandom(20)).decode().rstrip("=")


def code(secret, moment=None, step_offset=0):
    counter = int((time.time() if moment is None else moment) // PERIOD) + step_offset
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10 ** DIGITS:0{DIGITS}d}"


def verify(secret, candidate):
    if not isinstance(candidate, str) or len(candidate) != DIGITS or not candidate.isdigit():
        return False
    return any(hmac.compare_digest(code(secret, step_offset=offset), candidate) for offset in range(-SKEW, SKEW + 1))


def url(issuer, account, secret):
    """`otpauth://totp/<issuer>:<account>?algorithm=SHA1&digits=6&issuer=<issuer>&period=30&secret=<secret>`."""
    quote = lambda text: urllib.parse.quote(text, safe="")
    return (f"otpauth://totp/{quote(issuer)}:{quote(account)}?algorithm=SHA1&digits={DIGITS}&issuer={quote(issuer)}"
            f"&period={PERIOD}&secret={secret}")
