"""`python -m aerosync.demo`: the demo of `make demo`."""

from aerosync.demo.run import main

if __name__ == "__main__":
    raise SystemExit(main())
