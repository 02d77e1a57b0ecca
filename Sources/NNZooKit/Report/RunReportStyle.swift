/// The style sheet and script of `report.html` (`RunReportPage`). Both are inline and use no `<`
/// or `&`, so the page stays well-formed XML; the style sheet loads nothing (no `url()`, no
/// `@import`, the system's own fonts).
extension RunReportPage {
    static let styleSheet = """
        :root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #dde1e8; --accent: #1f77b4;
          --panel: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
          color: var(--ink); background: #ffffff; }
        header, main, footer { max-width: 1460px; margin: 0 auto; padding: 0 24px; }
        header { padding-top: 24px; border-bottom: 1px solid var(--line); }
        h1 { font-size: 26px; margin: 0 0 4px; }
        h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
        h3 { font-size: 16px; margin: 24px 0 8px; }
        .subtitle { color: var(--muted); margin: 0 0 12px; }
        nav { padding: 8px 0 12px; }
        nav a { color: var(--accent); text-decoration: none; margin-right: 16px; }
        nav a:hover { text-decoration: underline; }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; }
        .card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px;
          min-width: 170px; }
        .card .label { color: var(--muted); font-size: 13px; }
        .card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .card .detail { color: var(--muted); font-size: 12px; }
        table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
        th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top;
          position: relative; }
        thead th { border-bottom: 2px solid var(--ink); font-weight: 600; white-space: nowrap; }
        tbody th { font-weight: 500; white-space: nowrap; }
        tbody tr:nth-child(even) { background: var(--panel); }
        tr.total td { font-weight: 600; border-top: 2px solid var(--ink); }
        .num { text-align: right; white-space: nowrap; }
        .code, code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
        td.code { word-break: break-all; }
        .bar { position: absolute; left: 0; bottom: 0; height: 3px; background: var(--accent); opacity: 0.55; }
        pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px;
          overflow-x: auto; margin: 4px 0; white-space: pre-wrap; word-break: break-all; }
        figure { margin: 12px 0; }
        figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
        .scroll { overflow-x: auto; max-width: 100%; }
        img { image-rendering: pixelated; display: block; }
        svg.curves { width: 100%; max-width: 960px; height: auto; display: block; }
        details { margin: 8px 0; }
        summary { cursor: pointer; color: var(--accent); }
        .note { background: #fff6e0; border-left: 4px solid #e6a700; padding: 6px 10px; }
        .small { color: var(--muted); font-size: 12px; font-weight: normal; }
        dl.commands dt { font-weight: 600; margin-top: 8px; }
        dl.commands dd { margin: 0; }
        footer { color: var(--muted); font-size: 12px; padding: 32px 24px; }
        @media print { nav { display: none; } .scroll { overflow: visible; } }
        """

    /// Marks the page as rendered once everything has loaded: `data-rendered` is "ok" when every
    /// picture decoded, else "broken-images-N"; `data-images` and `data-svgs` count what is there.
    /// A headless browser's `--dump-dom` shows these, which is how the page is tested.
    static let script = """
        window.addEventListener("load", function () {
          var root = document.documentElement;
          var images = document.images;
          var broken = 0;
          for (var i = 0; i !== images.length; i += 1) {
            if (!images[i].complete || images[i].naturalWidth === 0) { broken += 1; }
          }
          root.setAttribute("data-images", String(images.length));
          root.setAttribute("data-svgs", String(document.getElementsByTagName("svg").length));
          root.setAttribute("data-rendered", broken === 0 ? "ok" : "broken-images-" + broken);
        });
        """
}
