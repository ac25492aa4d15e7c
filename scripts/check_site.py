"""Look at the built docs in headless Chromium, as a reader would.

Usage: python scripts/check_site.py [BUILD_DIR] (default docs/_build/html),
after building the docs; needs ``chromium`` on the PATH (Debian:
``apt-get install chromium``). Not part of CI, whose machines have no browser.

Each page is loaded in an iframe 1280 and 390 pixels wide. A page fails if
it is wider than the window, if an element of its content runs past the
window's right edge outside a box of the page's text that scrolls sideways
(tables and code blocks scroll inside theirs; anything else would make the
whole article scroll, or be clipped), if an image
does not load, or, for the gallery's example pages, if it shows no figure. Prints one
line per problem and exits 1 if there is any.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HARNESS = """<html><body><div id="out">pending</div>
<iframe id="f" style="width:WIDTHpx;height:900px;border:0"></iframe>
<script>
const pages = PAGES, base = BASE, results = [];
let i = 0;
const f = document.getElementById("f");
function next() {
  if (i >= pages.length) {
    document.getElementById("out").textContent = "RESULT " + JSON.stringify(results);
    return;
  }
  f.onload = () => setTimeout(() => {
    const d = f.contentDocument, images = [...d.images];
    const width = d.documentElement.clientWidth, cut = [];
    for (const el of d.querySelectorAll("article *")) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.right <= width + 1) continue;
      let scrolls = false;  // reachable in a box of the article that scrolls
      for (let a = el.parentElement; a && a.tagName !== "ARTICLE" && !scrolls;
           a = a.parentElement) {
        const o = f.contentWindow.getComputedStyle(a).overflowX;
        scrolls = (o === "auto" || o === "scroll") && a.scrollWidth > a.clientWidth;
      }
      if (!scrolls) {
        const text = (el.closest("h1,h2,h3,p,li,td") || el).textContent;
        cut.push(`${el.tagName.toLowerCase()} in '${text.trim().slice(0, 60)}'`);
      }
    }
    results.push({
      page: pages[i],
      cut: cut.slice(0, 3),
      overflow: d.documentElement.scrollWidth - d.documentElement.clientWidth,
      images: images.length,
      broken: images.filter(im => !(im.complete && im.naturalWidth > 0))
                    .map(im => im.getAttribute("src")),
    });
    i++;
    next();
  }, 300);
  f.src = base + pages[i];
}
next();
</script></body></html>
"""


def check(build, width):
    pages = sorted(
        str(p.relative_to(build))
        for p in build.rglob("*.html")
        if not p.relative_to(build).parts[0].startswith(("_", "generated"))
    )
    html = (
        HARNESS.replace("WIDTH", str(width))
        .replace("PAGES", json.dumps(pages))
        .replace("BASE", json.dumps(build.resolve().as_uri() + "/"))
    )
    with tempfile.TemporaryDirectory() as tmp:
        harness = Path(tmp) / "harness.html"
        harness.write_text(html)
        dom = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--allow-file-access-from-files", "--virtual-time-budget=120000",
             f"--window-size={width + 40},1000", "--dump-dom", harness.as_uri()],
            capture_output=True, text=True, timeout=600, check=True,
        ).stdout  # fmt: skip
    found = re.search(r"RESULT (\[.*?\])</div>", dom)
    if not found:
        raise RuntimeError(f"the harness did not finish at {width} px")
    return json.loads(found.group(1))


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html")
    problems = []
    for width in (1280, 390):
        results = check(build, width)
        for r in results:
            if r["overflow"] > 0:
                too_wide = f"{r['page']} is {r['overflow']} px too wide"
                problems.append(f"{width} px: {too_wide}")
            for element in r["cut"]:
                problems.append(
                    f"{width} px: {r['page']}: {element} runs past the window "
                    "and does not scroll"
                )
            for src in r["broken"]:
                problems.append(f"{width} px: {r['page']}: image {src} does not load")
            example = re.fullmatch(r"auto_examples/plot_\w+\.html", r["page"])
            if example and r["images"] == 0:
                problems.append(f"{width} px: {r['page']} shows no figure")
        print(f"{width} px: {len(results)} pages loaded")
    print("\n".join(problems) or "no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
