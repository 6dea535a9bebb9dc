"""The notes app's system tests use graphql-fcgi's test helpers (stack.py, accounts.py): real nginx with the shipped
site, two worker instances of the notes binary, the Kratos emulator."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
sys.path[:0] = [os.path.join(ROOT, "Tests", "system"), os.path.join(ROOT, "scripts")]
