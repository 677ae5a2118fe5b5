import Foundation

/// The atlas's one stylesheet and one script, compiled in (no files, no CDN).
enum StaticAssets {
    static let css = #"""
    :root{--ink:#1d2329;--dim:#5f6b76;--line:#d5dbe1;--accent:#1f5fa8;--warn:#fff4d6;--warnline:#e0b84c;--bg:#f7f8fa}
    *{box-sizing:border-box}
    body{margin:0;font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.45}
    header.top{display:flex;gap:1.2em;align-items:center;flex-wrap:wrap;padding:.6em 1.2em;background:#102030;color:#fff}
    header.top a,header.top button.link{color:#cfe3ff;margin-right:1em;text-decoration:none;background:none;border:0;font:inherit;cursor:pointer;padding:0}
    .brand{font-weight:700;letter-spacing:.02em}
    .synthetic-banner{margin-left:auto;font-size:.8em;background:#c0392b;color:#fff;padding:.15em .6em;border-radius:3px}
    main{max-width:1150px;margin:1.2em auto;padding:0 1.2em}
    h1{margin:.2em 0 .4em;font-size:1.6em} h2{margin-top:1.8em;border-bottom:1px solid var(--line);padding-bottom:.2em;font-size:1.2em}
    .lead{color:var(--dim);max-width:780px} .dim{color:var(--dim)}
    .notice{padding:.6em .9em;border-radius:4px;border:1px solid var(--line);background:#fff;max-width:900px}
    .notice.approximate{background:var(--warn);border-color:var(--warnline)} .notice.error{background:#fdecea;border-color:#e6a39c}
    .controls{display:flex;flex-wrap:wrap;gap:1.2em;align-items:center;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.7em 1em;position:sticky;top:0;z-index:2}
    .controls fieldset{border:0;margin:0;padding:0;display:flex;gap:.8em;align-items:center} .controls legend{float:left;margin-right:.6em;font-weight:600}
    .controls .age{display:flex;align-items:center;gap:.6em;font-weight:600} .controls input[type=range]{width:min(420px,60vw)}
    output{font-variant-numeric:tabular-nums}
    button,.button{font:inherit;padding:.35em .9em;border-radius:4px;border:1px solid #9fb3c8;background:#fff;color:var(--ink);cursor:pointer;text-decoration:none;display:inline-block}
    button:hover,.button:hover{border-color:var(--accent)} button[type=submit],#start,#signIn{background:var(--accent);color:#fff;border-color:var(--accent)}
    .plate{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.8em;margin:1em 0;min-height:200px}
    .plate figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:6px;padding:.4em;position:relative;cursor:zoom-in}
    .plate img{width:100%;aspect-ratio:1;display:block;background:#000}
    .px{image-rendering:pixelated}
    .badge{position:absolute;top:.7em;left:.7em;background:rgba(192,57,43,.9);color:#fff;font-size:.65em;font-weight:700;padding:.05em .4em;border-radius:2px;letter-spacing:.05em}
    .viewer-head .badge,dialog .badge{position:static}
    .plate figcaption{font-size:.8em;color:var(--dim);margin-top:.3em;display:flex;justify-content:space-between;gap:.4em}
    .cnn{color:var(--ink)} .hidecnn .cnn{display:none}
    .actions{display:flex;gap:1em;align-items:center;flex-wrap:wrap}
    form.inline{display:flex;gap:.6em;align-items:center;flex-wrap:wrap;margin:.8em 0}
    form.stack{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.7em 1.2em;background:#fff;border:1px solid var(--line);border-radius:6px;padding:1em;max-width:900px}
    form.stack label{display:flex;flex-direction:column;font-size:.9em;color:var(--dim)} form.stack input{font:inherit;padding:.3em}
    input{font:inherit}
    .strip{display:grid;grid-template-columns:repeat(auto-fill,minmax(80px,1fr));gap:.4em}
    .strip figure{margin:0;text-align:center;font-size:.75em;color:var(--dim);cursor:pointer} .strip img{width:100%;background:#000}
    .strip figure.current img{outline:3px solid var(--accent)}
    .strip-player{display:flex;gap:1em;align-items:center;margin:.6em 0} .strip-player img{width:256px;height:256px;background:#000}
    dialog{border:1px solid var(--line);border-radius:8px;padding:1em;max-width:96vw} dialog::backdrop{background:rgba(0,0,0,.55)}
    .viewer-head{display:flex;gap:.6em;align-items:center;margin-bottom:.5em} .close{margin-left:auto;font-size:1.2em;line-height:1}
    #viewerCanvas,#readCanvas{width:min(512px,80vw);height:min(512px,80vw);background:#000;display:block;cursor:crosshair;touch-action:none}
    .wl{display:flex;gap:1em;flex-wrap:wrap;align-items:center;margin:.6em 0;font-size:.9em}
    table{border-collapse:collapse;margin:.8em 0;background:#fff;font-size:.9em} th,td{border:1px solid var(--line);padding:.3em .6em;text-align:left;vertical-align:middle}
    th{background:#eef2f6} caption{text-align:left;font-weight:600;padding:.3em 0}
    .thumb{width:48px;height:48px;background:#000}
    input.invite{width:34em;max-width:60vw;font-family:monospace;font-size:.85em}
    .progress{height:6px;background:#dde3e9;border-radius:3px;overflow:hidden} #bar{height:100%;width:0;background:var(--accent);transition:width .2s}
    .read-layout{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
    .read-image{margin:0} .read-image figcaption{margin-top:.4em}
    .answer fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 .8em;padding:.6em .8em;background:#fff}
    .answer legend{font-weight:600} .answer input[type=number]{width:4.5em}
    .call,.conf{min-width:5.5em} .conf small{display:block;font-size:.7em;color:var(--dim)}
    .call.chosen,.conf.chosen{background:var(--accent);color:#fff;border-color:var(--accent)} .conf.chosen small{color:#dce9f8}
    kbd{font-family:monospace;font-size:.8em;border:1px solid #aab;border-bottom-width:2px;border-radius:3px;padding:0 .3em;background:#f4f6f8;color:var(--ink)}
    #status.error,#createStatus.error,#inviteStatus.error,#saveStatus.error{color:#b3261e}
    .chart svg{max-width:100%;height:auto;background:#fff;border:1px solid var(--line)} .chart{margin:.8em 0} figcaption{font-size:.85em;color:var(--dim)}
    .explain p{max-width:900px}
    """#

    static let javascript = #"""
    "use strict";
    (function () {
      const $ = (id) => document.getElementById(id);
      const stateNode = $("state");
      const state = stateNode ? JSON.parse(stateNode.textContent) : {};
      const page = document.body.dataset.page;

      function ageText(months) {
        const m = Math.round(months);
        return Math.floor(m / 12) + " y " + (m % 12) + " m";
      }

      async function send(url, body) {
        const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                           body: JSON.stringify(body), credentials: "same-origin"});
        const data = await response.json().catch(() => ({}));
        if (!response.ok) {
          const e = data.error || {};
          throw new Error((e.field ? e.field + ": " : "") + (e.message || response.statusText));
        }
        return data;
      }

      async function getJSON(url) {
        const response = await fetch(url, {credentials: "same-origin"});
        const data = await response.json().catch(() => ({}));
        if (!response.ok) {
          const e = data.error || {};
          throw new Error((e.field ? e.field + ": " : "") + (e.message || response.statusText));
        }
        return data;
      }

      function say(node, text, isError) {
        if (!node) return;
        node.textContent = text;
        node.classList.toggle("error", !!isError);
      }

      // Window/level on a canvas, as a PACS viewer: the 8-bit values inside [level − w/2, level + w/2]
      // are stretched over black to white.
      function windowLevel(canvas, controls) {
        const context = canvas.getContext("2d");
        let source = null;
        const draw = () => {
          if (!source) return;
          const w = Number(controls.window.value), l = Number(controls.level.value);
          const invert = controls.invert && controls.invert.checked;
          const out = context.createImageData(source.width, source.height);
          for (let i = 0; i < source.data.length; i += 4) {
            let v = (source.data[i] - (l - w / 2)) / w * 255;
            v = Math.max(0, Math.min(255, v));
            if (invert) v = 255 - v;
            out.data[i] = out.data[i + 1] = out.data[i + 2] = v;
            out.data[i + 3] = 255;
          }
          context.putImageData(out, 0, 0);
          if (controls.windowValue) controls.windowValue.value = w;
          if (controls.levelValue) controls.levelValue.value = l;
        };
        const reset = () => { controls.window.value = 255; controls.level.value = 128; if (controls.invert) controls.invert.checked = false; draw(); };
        for (const input of [controls.window, controls.level, controls.invert]) if (input) input.addEventListener("input", draw);
        if (controls.reset) controls.reset.addEventListener("click", reset);
        let drag = null;
        canvas.addEventListener("pointerdown", (e) => { drag = {x: e.clientX, y: e.clientY, w: Number(controls.window.value), l: Number(controls.level.value)}; canvas.setPointerCapture(e.pointerId); });
        canvas.addEventListener("pointerup", () => { drag = null; });
        canvas.addEventListener("pointermove", (e) => {
          const rect = canvas.getBoundingClientRect();
          if (source && controls.pixel) {
            const x = Math.floor((e.clientX - rect.left) / rect.width * source.width), y = Math.floor((e.clientY - rect.top) / rect.height * source.height);
            if (x >= 0 && y >= 0 && x < source.width && y < source.height) controls.pixel.textContent = "pixel (" + x + ", " + y + "): " + source.data[(y * source.width + x) * 4];
          }
          if (!drag) return;
          controls.window.value = Math.max(1, Math.min(255, drag.w + (e.clientX - drag.x)));
          controls.level.value = Math.max(0, Math.min(255, drag.l - (e.clientY - drag.y)));
          draw();
        });
        return {
          load(url) {
            return new Promise((resolve, reject) => {
              const image = new Image();
              image.onload = () => {
                canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
                context.drawImage(image, 0, 0);
                source = context.getImageData(0, 0, canvas.width, canvas.height);
                draw();
                resolve();
              };
              image.onerror = () => reject(new Error("the image did not load"));
              image.src = url;
            });
          },
          reset,
        };
      }

      // ---- Browse ------------------------------------------------------------------------------
      function browse() {
        const controls = $("controls"), plate = $("plate"), age = $("age");
        let seeds = state.seeds || null, current = null, timer = null, request = 0;
        const sex = () => controls.querySelector("input[name=sex]:checked").value;
        const showCNN = $("showCNN");

        async function load(fresh) {
          const id = ++request;
          $("ageText").value = ageText(age.value) + " (" + age.value + " months)";
          plate.setAttribute("aria-busy", "true");
          const started = performance.now();
          let url = "/api/plate?sex=" + sex() + "&age=" + age.value;
          if (!fresh && seeds) url += "&seeds=" + seeds;
          try {
            const data = await getJSON(url);
            if (id !== request) return;
            current = data;
            seeds = data.images.map((i) => i.seed).join(",");
            plate.replaceChildren(...data.images.map((image) => {
              const figure = document.createElement("figure");
              figure.innerHTML = '<span class="badge">SYNTHETIC</span><img class="px" alt=""><figcaption><span></span><span class="cnn"></span></figcaption>';
              const img = figure.querySelector("img");
              img.src = image.url;
              img.alt = "synthetic hand, seed " + image.seed + ", requested bone age " + data.ageText;
              figure.querySelector("figcaption span").textContent = "seed " + image.seed;
              if (image.cnnMonths !== undefined) figure.querySelector(".cnn").textContent = "CNN " + ageText(image.cnnMonths);
              figure.addEventListener("click", () => openViewer(image.seed));
              return figure;
            }));
            $("downloadPNG").href = data.png;
            if ($("downloadDICOM") && data.dicom) $("downloadDICOM").href = data.dicom;
            $("permalink").href = data.link;
            history.replaceState(null, "", data.link);
            $("timing").textContent = "plate ready in " + Math.round(performance.now() - started) + " ms";
          } catch (error) {
            plate.innerHTML = "";
            const p = document.createElement("p"); p.className = "notice error"; p.textContent = error.message; plate.append(p);
          }
          plate.setAttribute("aria-busy", "false");
        }

        age.addEventListener("input", () => { $("ageText").value = ageText(age.value) + " (" + age.value + " months)"; clearTimeout(timer); timer = setTimeout(() => load(false), 200); });
        controls.addEventListener("change", (e) => { if (e.target.name === "sex") load(false); });
        $("fresh").addEventListener("click", () => load(true));
        if (showCNN) showCNN.addEventListener("change", () => plate.classList.toggle("hidecnn", !showCNN.checked));

        $("savePlate").addEventListener("submit", async (e) => {
          e.preventDefault();
          try {
            const saved = await send("/api/plates", {name: $("plateName").value, sex: sex(), ageMonths: Number(age.value),
                                                      seeds: seeds.split(",").map(Number)});
            const li = document.createElement("li"), a = document.createElement("a");
            a.href = saved.link; a.textContent = saved.name; li.append(a);
            const list = $("saved"); if (list.querySelector(".dim")) list.innerHTML = ""; list.prepend(li);
            say($("saveStatus"), "saved");
          } catch (error) { say($("saveStatus"), error.message, true); }
        });

        // Viewer with window/level.
        const viewer = $("viewer");
        const wl = windowLevel($("viewerCanvas"), {window: $("window"), level: $("level"), invert: $("invert"), reset: $("resetWL"),
                                                   windowValue: $("windowValue"), levelValue: $("levelValue"), pixel: $("pixel")});
        let viewerSeed = null;
        function openViewer(seed) {
          viewerSeed = seed;
          const image = current.images.find((i) => i.seed === seed);
          $("viewerTitle").textContent = (current.sex === "F" ? "Female" : "Male") + ", requested " + current.ageText + ", seed " + seed
            + (image.cnnMonths !== undefined ? " (CNN reads " + ageText(image.cnnMonths) + ")" : "");
          wl.load(image.url).then(() => wl.reset());
          viewer.showModal();
        }
        $("closeViewer").addEventListener("click", () => viewer.close());
        $("ageThis").addEventListener("click", () => { viewer.close(); strip(viewerSeed); });

        // Aging strip and animation.
        let frames = [], frame = 0, playing = null;
        async function strip(seed) {
          $("stripSection").hidden = false;
          $("stripTitle").textContent = "Aging: seed " + seed + " (" + (sex() === "F" ? "female" : "male") + ") from 1 to 18 years";
          $("strip").innerHTML = '<p class="dim">Generating…</p>';
          $("stripSection").scrollIntoView({behavior: "smooth"});
          try {
            const data = await getJSON("/api/strip?sex=" + sex() + "&seed=" + seed);
            frames = data.images;
            $("strip").replaceChildren(...frames.map((image, k) => {
              const figure = document.createElement("figure");
              figure.innerHTML = '<img class="px" alt=""><figcaption></figcaption>';
              figure.querySelector("img").src = image.url;
              figure.querySelector("img").alt = "seed " + seed + " at " + image.ageText;
              figure.querySelector("figcaption").textContent = image.ageText + (image.cnnMonths !== undefined ? " · CNN " + ageText(image.cnnMonths) : "");
              figure.addEventListener("click", () => show(k));
              return figure;
            }));
            show(0);
          } catch (error) { $("strip").textContent = error.message; }
        }
        function show(k) {
          frame = k;
          $("animation").src = frames[k].url;
          $("frameAge").value = frames[k].ageText + " SYNTHETIC";
          $("strip").querySelectorAll("figure").forEach((f, i) => f.classList.toggle("current", i === k));
        }
        $("play").addEventListener("click", () => {
          if (playing) { clearInterval(playing); playing = null; $("play").textContent = "Play"; return; }
          $("play").textContent = "Pause";
          playing = setInterval(() => { if (frames.length) show((frame + 1) % frames.length); }, 450);
        });
        load(false);
      }

      // ---- Admin -------------------------------------------------------------------------------
      function signIn() {
        $("signIn").addEventListener("click", async () => {
          try { const r = await send("/admin/login", {token: state.token}); location.href = r.next; }
          catch (error) { say($("status"), error.message, true); }
        });
      }

      function adminCommon() {
        const logout = $("logout");
        if (logout) logout.addEventListener("click", async () => { await send("/admin/logout", {}).catch(() => {}); location.href = "/"; });
        document.querySelectorAll("button.copy").forEach((button) => button.addEventListener("click", () => {
          const input = button.previousElementSibling; input.select();
          if (navigator.clipboard) navigator.clipboard.writeText(input.value);
          button.textContent = "Copied";
        }));
      }

      function admin() {
        $("createStudy").addEventListener("submit", async (e) => {
          e.preventDefault();
          const form = new FormData(e.target), body = {};
          for (const [key, value] of form.entries()) {
            if (value === "") continue;
            body[key] = key === "name" ? value : Number(value);
          }
          say($("createStatus"), "Generating the images…");
          e.target.querySelector("button").disabled = true;
          try { const r = await send("/admin/studies", body); location.href = r.next; }
          catch (error) { say($("createStatus"), error.message, true); e.target.querySelector("button").disabled = false; }
        });
      }

      function study() {
        const form = $("invite");
        form.addEventListener("submit", async (e) => {
          e.preventDefault();
          try { await send("/admin/studies/" + form.dataset.study + "/readers", {label: $("readerLabel").value}); location.reload(); }
          catch (error) { say($("inviteStatus"), error.message, true); }
        });
      }

      // ---- Reader ------------------------------------------------------------------------------
      function join() {
        $("start").addEventListener("click", async () => {
          try { const r = await send("/join", {token: state.token}); location.href = r.next; }
          catch (error) { say($("status"), error.message, true); }
        });
      }

      function read() {
        const form = $("answer"), status = $("status");
        const wl = windowLevel($("readCanvas"), {window: $("window"), level: $("level"), reset: $("resetWL")});
        let item = null, call = null, confidence = null, shownAt = 0, busy = false;

        function choose(kind, value) {
          if (kind === "call") { call = value; form.querySelectorAll(".call").forEach((b) => b.classList.toggle("chosen", b.dataset.call === value)); }
          else { confidence = value; form.querySelectorAll(".conf").forEach((b) => b.classList.toggle("chosen", Number(b.dataset.confidence) === value)); }
        }

        async function next() {
          const data = await getJSON("/read/next");
          if (data.done) { location.href = data.next; return; }
          item = data;
          call = null; confidence = null;
          form.querySelectorAll(".chosen").forEach((b) => b.classList.remove("chosen"));
          $("years").value = ""; $("months").value = "0";
          $("sex").textContent = data.sex === "F" ? "female" : "male";
          $("progressText").textContent = "Image " + data.position + " of " + data.total;
          $("bar").style.width = (100 * data.answered / data.total) + "%";
          await wl.load(data.image);
          wl.reset();
          shownAt = performance.now();
          say(status, "");
          form.dataset.assignment = data.assignment;
        }

        async function save() {
          if (busy || !item) return;
          if (!call) return say(status, "Choose real or synthetic (R or S).", true);
          if (!confidence) return say(status, "Choose how sure you are (1–5).", true);
          if ($("years").value === "") return say(status, "Enter the bone age in years and months.", true);
          busy = true;
          say(status, "Saving…");
          try {
            await send("/read/answer", {assignment: item.assignment, synthetic: call === "synthetic", confidence: confidence,
                                        ageYears: Number($("years").value), ageMonths: Number($("months").value || 0),
                                        elapsedMs: Math.round(performance.now() - shownAt)});
            say(status, "Saved.");
            await next();
          } catch (error) { say(status, error.message, true); }
          busy = false;
        }

        form.querySelectorAll(".call").forEach((b) => b.addEventListener("click", () => choose("call", b.dataset.call)));
        form.querySelectorAll(".conf").forEach((b) => b.addEventListener("click", () => choose("confidence", Number(b.dataset.confidence))));
        form.addEventListener("submit", (e) => { e.preventDefault(); save(); });
        document.addEventListener("keydown", (e) => {
          if (e.ctrlKey || e.metaKey || e.altKey) return;
          const typing = e.target instanceof HTMLInputElement && e.target.type === "number";
          if (e.key === "Enter") { e.preventDefault(); save(); return; }
          if (typing) return;
          const key = e.key.toLowerCase();
          if (key === "r") choose("call", "real");
          else if (key === "s") choose("call", "synthetic");
          else if (/^[1-5]$/.test(key)) choose("confidence", Number(key));
          else return;
          e.preventDefault();
        });
        next().catch((error) => say(status, error.message, true));
      }

      const pages = {browse, login: signIn, admin, study, join, read};
      if (["admin", "study", "results"].includes(page)) adminCommon();
      if (pages[page]) pages[page]();
    })();
    """#
}
