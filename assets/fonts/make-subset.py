#!/usr/bin/env python3
"""Builds assets/fonts/NotoSansSC-Subset.otf: Noto Sans CJK SC cut down to GB2312 level 1 (the
3,755 most common simplified characters), ASCII, common CJK punctuation, and every non-ASCII
character the app's text and the lessons use. Needs `apt-get install fonts-noto-cjk` and
`pip install fonttools`. Run it again whenever a translation adds a rare character (the test
`every_ui_string_renders_with_the_bundled_fonts` says when).

`make-subset.py --page` builds assets/fonts/NotoSansSC-Page.otf, the page's font (the browser
build), from the one above: only the characters the app and its lessons write, so the page
loads fast (it needs only fonttools)."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_NUMBER = 2  # in NotoSansCJK-Regular.ttc: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
OUT = ROOT / "assets" / "fonts" / "NotoSansSC-Subset.otf"
PAGE_OUT = ROOT / "assets" / "fonts" / "NotoSansSC-Page.otf"
PUNCTUATION = set("，。、；：？！“”‘’（）《》【】…—·「」『』")


def gb2312_level1():
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def used_characters():
    chars = set()
    for folder, pattern in [("src", "*.rs"), ("lessons", "*.ron")]:
        for path in (ROOT / folder).rglob(pattern):
            chars.update(c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F)
    return chars


def main():
    page = "--page" in sys.argv[1:]
    source, out = (OUT, PAGE_OUT) if page else (SOURCE, OUT)
    if not source.exists():
        sys.exit(f"{source} is missing: apt-get install fonts-noto-cjk")
    chars = used_characters() | PUNCTUATION | {chr(c) for c in range(0x20, 0x7F)}
    if not page:
        chars |= set(gb2312_level1())
    unicodes = ",".join(f"U+{ord(c):04X}" for c in sorted(chars))
    subprocess.run(
        [
            "pyftsubset",
            str(source),
            f"--font-number={0 if page else FONT_NUMBER}",
            f"--unicodes={unicodes}",
            f"--output-file={out}",
            "--layout-features=*",
            "--no-hinting",
            "--desubroutinize",
            "--name-IDs=*",
            "--name-languages=*",
        ],
        check=True,
    )
    print(f"{out}: {len(chars)} characters, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
