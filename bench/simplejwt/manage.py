#!/usr/bin/env python3
"""The reference stack of scripts/compare.sh: Django REST framework with
Simple JWT, configured as its documentation shows, run by gunicorn."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
