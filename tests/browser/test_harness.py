"""The browser harness itself: it must see what the book and slides tests rely on it to see."""

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>harness</title></head><body>
<p id="text">hello</p>
<img id="local" alt="a red dot" src="dot.svg">
<img id="remote" alt="remote" src="http://example.org/remote.png">
<script>console.error("deliberate error"); document.body.dataset.ran = "yes";</script>
</body></html>"""
DOT = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle cx="4" cy="4" r="4" fill="red"/></svg>'


def test_harness_sees_pages_console_errors_and_remote_requests(serve, chromium, tmp_path):
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "dot.svg").write_text(DOT)
    base = serve(tmp_path)

    chromium.open(base + "index.html")

    assert chromium.run("return document.getElementById('text').textContent") == "hello"
    assert chromium.wait_for("document.body.dataset.ran") == "yes"
    assert chromium.run("return document.getElementById('local').naturalWidth") == 8
    # the remote image cannot load: nothing but loopback resolves
    assert chromium.run("return document.getElementById('remote').naturalWidth") == 0
    assert chromium.non_local_requests() == ["http://example.org/remote.png"]
    assert [url for url, _ in chromium.failed_requests()] == ["http://example.org/remote.png"]
    assert any("deliberate error" in message for message in chromium.console_errors())

    shot = chromium.screenshot(tmp_path / "shot.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # a new page starts a new record
    chromium.open(base + "dot.svg")
    assert chromium.console_errors() == []
    assert chromium.non_local_requests() == []
