"""Time in Kratos' JSON format (RFC 3339, UTC, microseconds)."""
import datetime


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_duration(text):
    """Go-style durations as Kratos' config uses them: "24h", "15m", "30s", "1h30m", or plain seconds."""
    if isinstance(text, (int, float)):
        return datetime.timedelta(seconds=text)
    total, number = 0.0, ""
    units = {"h": 3600, "m": 60, "s": 1}
    for character in text.strip():
        if character.isdigit() or character == ".":
            number += character
        elif character in units and number:
            total += float(number) * units[character]
            number = ""
        else:
            raise ValueError(f"bad duration {text!r}")
    if number:
        total += float(number)
    return datetime.timedelta(seconds=total)
