"""The bad-input corpus: small files committed beside this script, big ones made at test time.

    .venv/bin/python tests/bad_inputs/make_corpus.py     # rewrites the committed files

`expected.yaml` says what the batch must do with each file.  The committed
files are small; the big ones (a 50 MB text, DOCX zip bombs) would bloat the
repository, so the tests build them in a temporary folder with `make_big`.
Rebuilding the committed PDFs needs `pypdf` (for encryption; not needed by
the tests).  Every plan text here is invented: no seed document is named.
"""
from __future__ import annotations

import io
import random
import struct
import unicodedata
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE_PDFS = HERE.parent / "fixtures" / "pdf"

# A small plan in the usual layout: issuer, number, title, numbered sections, field lines.
MINI_PLAN = """ỦY BAN NHÂN DÂN
PHƯỜNG TÂN LẬP
Số: 12/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Tân Lập, ngày 15 tháng 3 năm 2025
KẾ HOẠCH
Kiểm soát thủ tục hành chính năm 2025
I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao chất lượng giải quyết thủ tục hành chính cho người dân và doanh nghiệp.
II. NHIỆM VỤ
1. Rà soát, công bố danh mục thủ tục hành chính thuộc thẩm quyền giải quyết của phường.
- Đơn vị thực hiện: Văn phòng HĐND và UBND phường
- Thời gian hoàn thành: Trước ngày 30/6/2025
2. Giải quyết hồ sơ đúng hạn, tỷ lệ hồ sơ đúng hạn đạt ít nhất 98%.
- Đơn vị thực hiện: Bộ phận Một cửa
- Thời gian hoàn thành: Quý IV năm 2025
III. TỔ CHỨC THỰC HIỆN
Các phòng, ban, đơn vị căn cứ Kế hoạch này triển khai thực hiện.
"""

# Prose with a percentage and no plan structure at all.
NOT_A_PLAN = """Dự báo thời tiết ngày mai

Khu vực phía Bắc có mưa rào và dông rải rác, nhiệt độ thấp nhất từ 22 đến 24 độ C, cao nhất từ 30 đến 32 độ C.
Độ ẩm trung bình 80%.

Khu vực ven biển có gió Đông Nam cấp 3, cấp 4. Người dân đi biển cần theo dõi các bản tin tiếp theo.

Món ăn gợi ý cho bữa tối: canh chua, rau muống xào tỏi và cơm trắng.
"""

_DOCX_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def docx_bytes(text: str) -> bytes:
    """A real Word document (python-docx), one paragraph per line of `text`."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _with_doctype(xml: bytes, doctype: str, entity: str) -> bytes:
    """document.xml with a DOCTYPE declaring entities and `&entity;` used in the first text run."""
    text = xml.decode("utf-8")
    declaration_end = text.index("?>") + 2
    text = text[:declaration_end] + f"\n{doctype}" + text[declaration_end:]
    first_run = text.index("<w:t", text.index("<w:body>"))
    run_text = text.index(">", first_run) + 1
    return (text[:run_text] + f"&{entity};" + text[run_text:]).encode("utf-8")


def xxe_docx() -> bytes:
    """A DOCX whose body pulls in /etc/passwd through an XML external entity."""
    members = _members(docx_bytes(MINI_PLAN))
    members["word/document.xml"] = _with_doctype(
        members["word/document.xml"], '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "xxe")
    return _zip({name: _deflate_whole(data) for name, data in members.items()})


def billion_laughs_docx() -> bytes:
    """A DOCX whose body uses an entity that expands to 10^9 copies of a word."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    members = _members(docx_bytes(MINI_PLAN))
    members["word/document.xml"] = _with_doctype(
        members["word/document.xml"], "<!DOCTYPE w:document [" + "".join(entities) + "]>", "lol9")
    return _zip({name: _deflate_whole(data) for name, data in members.items()})


# --------------------------------------------------------------------------- zip bombs

class _Member:
    """A zip member as raw deflate data, with the sizes and checksum its headers declare."""

    def __init__(self, deflated: bytes, crc: int, size: int) -> None:
        self.deflated, self.crc, self.size = deflated, crc, size


def _deflate_whole(data: bytes) -> _Member:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return _Member(compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))


def _zip(members: dict[str, _Member]) -> bytes:
    """A zip archive written field by field, so a member may declare any size it likes."""
    out = io.BytesIO()
    central = []
    for name, member in members.items():
        offset = out.tell()
        encoded = name.encode()
        sizes = (member.crc, len(member.deflated), member.size)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, *sizes, len(encoded), 0))
        out.write(encoded + member.deflated)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, *sizes,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _bomb_document(document_xml: bytes, inflated_mb: int) -> _Member:
    """document.xml with `inflated_mb` MB of spaces inside its body, deflated to about 1 kB per MB.

    Each MB is compressed once and repeated: after a full flush a deflate
    stream starts afresh, so the same compressed bytes can follow each other.
    """
    split = document_xml.index(b"<w:body>")
    head, tail, block = document_xml[:split], document_xml[split:], b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(inflated_mb):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return _Member(first + repeated * inflated_mb + last, crc, len(head) + len(tail) + inflated_mb * (1 << 20))


def zip_bomb_docx(inflated_mb: int = 1024, lying: bool = False) -> bytes:
    """A DOCX of about 1 MB whose document.xml inflates to `inflated_mb` MB.

    With `lying`, the headers declare the small original size, so only reading
    the member (not its directory entry) reveals the bomb.
    """
    plain = _members(docx_bytes(MINI_PLAN))
    members = {name: _deflate_whole(data) for name, data in plain.items()}
    bomb = _bomb_document(plain["word/document.xml"], inflated_mb)
    if lying:
        bomb.size = members["word/document.xml"].size
    members["word/document.xml"] = bomb
    return _zip(members)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """`text` as Vietnamese Windows ANSI writes it: a letter with its tone as a combining mark
    wherever the code page has no precomposed character."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        out.append(char if _encodable(char) else base + tones)
    return "".join(out).encode("cp1258")


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def big_text(megabytes: int = 50) -> bytes:
    """A plan text repeated to `megabytes` MB: readable, but far larger than any plan."""
    unit = MINI_PLAN.encode("utf-8")
    return unit * (megabytes * (1 << 20) // len(unit) + 1)


# Files built at test time (name -> builder): too big to commit.
BIG = {
    "big_50mb.txt": big_text,
    "zip_bomb.docx": zip_bomb_docx,
    "zip_bomb_lying_sizes.docx": lambda: zip_bomb_docx(lying=True),
}


def make_big(folder: Path) -> list[Path]:
    """Write the big files of the corpus into `folder`."""
    paths = []
    for name, build in BIG.items():
        paths.append(folder / name)
        paths[-1].write_bytes(build())
    return paths


# --------------------------------------------------------------------------- the committed files


def _smallest_fixture_pdf() -> bytes:
    return min(FIXTURE_PDFS.glob("*.pdf"), key=lambda p: p.stat().st_size).read_bytes()


def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(_smallest_fixture_pdf()))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def committed() -> dict[str, bytes]:
    """The small files of the corpus, by name."""
    pdf = _smallest_fixture_pdf()
    return {
        "empty.txt": b"",
        "binary_junk.txt": random.Random(20250101).randbytes(4096),
        "truncated.pdf": pdf[: len(pdf) // 3],
        "encrypted_with_password.pdf": _encrypted_pdf("user-secret"),
        "encrypted_no_user_password.pdf": _encrypted_pdf(""),
        "not_a_zip.docx": MINI_PLAN.encode("utf-8"),
        "xxe.docx": xxe_docx(),
        "billion_laughs.docx": billion_laughs_docx(),
        "not_a_plan.txt": NOT_A_PLAN.encode("utf-8"),
        "not_utf8_windows_1258.txt": windows_1258(MINI_PLAN),
        "not_utf8_shift_jis.txt": "これは計画ではありません。会議の議事録です。\n".encode("shift_jis") * 20,
        "~$owner_file.docx": b"\x05Owner" + bytes(157),
    }


def main() -> None:
    for name, data in committed().items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
