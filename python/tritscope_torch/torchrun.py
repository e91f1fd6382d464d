"""`python -m tritscope_torch.torchrun ARGS` is `torchrun ARGS` (torch.distributed.run) with one compatibility fix.

torch < 2.0 on Python >= 3.11 (Debian 12's python3-torch 1.13 among them) cannot start any job: its
`Std.from_str` looks the stream flags up by iterating an IntFlag, and Python 3.11 no longer yields the
zero (NONE) and multi-bit (ALL) members, so the default `--redirects 0` becomes None and the launcher
crashes in `to_map`. The fix looks the flag up by value; on versions without the bug nothing changes.
"""
import re
import sys


def _fix_std_from_str():
    from torch.distributed.elastic.multiprocessing import api

    std = api.Std
    try:
        if std.from_str("0") is std.NONE and std.from_str("3") is std.ALL:
            return False
    except Exception:  # noqa: BLE001 - the broken lookup is what we are detecting
        pass

    def from_str(cls, vm):
        if re.match(api._VALUE_REGEX, vm):
            return cls(int(vm))
        if re.match(api._MAPPING_REGEX, vm):
            return {int(i): cls(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
        raise ValueError("%s does not match: <%s> or <%s>" % (vm, api._VALUE_REGEX, api._MAPPING_REGEX))

    std.from_str = classmethod(from_str)
    return True


def main():
    _fix_std_from_str()
    from torch.distributed.run import main as torchrun_main
    sys.argv[0] = "torchrun"
    torchrun_main()


if __name__ == "__main__":
    main()
