import Foundation
import ProGAN

extension Pages {
    struct StudyRow: Sendable {
        var id: Int64, name: String, items: Int, readers: Int, answers: Int
    }

    struct ItemRow: Sendable {
        var id: Int64, ordinal: Int, isSynthetic: Bool, sex: String, referenceMonths: Double, cnnMonths: Double?
    }

    static let adminNav = "<a href=\"/\">Browse</a> <a href=\"/admin\">Studies</a> <button type=\"button\" id=\"logout\" class=\"link\">Sign out</button>"

    static func adminLogin(token: String) -> String {
        layout(title: "Sign in", page: "login", body: """
            <h1>Sign in as the atlas's admin</h1>
            <p>This link was printed by the server when it started. Signing in sets a session cookie in this browser.</p>
            <button type="button" id="signIn">Sign in</button> <span id="status" role="status"></span>
            """, state: ["token": token])
    }

    static func admin(_ server: AtlasServer, studies: [StudyRow]) -> String {
        let range = server.plates.ageRange
        let rows = studies.map { s in
            ["<a href=\"/admin/studies/\(s.id)\">\(escape(s.name))</a>", "\(s.items)", "\(s.readers)", "\(s.answers)",
             "<a href=\"/admin/studies/\(s.id)/results\">results</a>"]
        }
        let realNote = server.realImages.map { "Real images come from <code>\(escape($0.path))</code> (shown only inside studies)." }
            ?? "No <code>--data</code> store was given, so studies can hold synthetic images only (fraction real 0)."
        let body = """
        <h1>Reader studies</h1>
        \(studies.isEmpty ? "<p class=\"dim\">No studies yet.</p>" : table(["study", "images", "readers", "answers", ""], rows, rawCells: true))
        <h2>New study</h2>
        <p>A visual Turing test with bone-age reading: each reader sees every image once, in their own random order, says whether
        it is real or synthetic with a confidence of 1–5, and estimates its bone age. Synthetic images are generated to match the real
        images' ages and sexes. \(realNote)</p>
        \(server.plates.method.isApproximate ? "<p class=\"notice approximate\">This snapshot is unconditional: synthetic images are found by the direction search (slower, approximate).</p>" : "")
        <form id="createStudy" class="stack">
          <label>Name <input name="name" required maxlength="80" value="Study \(studies.count + 1)"></label>
          <label>Images <input name="items" type="number" min="\(StudyDesign.itemLimit.lowerBound)" max="\(StudyDesign.itemLimit.upperBound)" value="20" required></label>
          <label>Fraction real <input name="fractionReal" type="number" min="0" max="1" step="0.05" value="\(server.realImages == nil ? "0" : "0.5")"\(server.realImages == nil ? " readonly" : "")></label>
          <label>Youngest (months) <input name="minAgeMonths" type="number" min="\(Int(range.lowerBound))" max="\(Int(range.upperBound))" value="\(Int(max(range.lowerBound, 24)))"></label>
          <label>Oldest (months) <input name="maxAgeMonths" type="number" min="\(Int(range.lowerBound))" max="\(Int(range.upperBound))" value="\(Int(min(range.upperBound, 204)))"></label>
          <label>Fraction female <input name="femaleFraction" type="number" min="0" max="1" step="0.05" value="0.5"></label>
          <label>Seed (optional) <input name="seed" type="number" min="0" step="1"></label>
          <button type="submit">Create study</button> <span id="createStatus" role="status"></span>
        </form>
        """
        return layout(title: "Studies", page: "admin", body: body, nav: adminNav)
    }

    static func study(_ study: StudyRecord, readers: [(ReaderRecord, StudyReaders.Progress)], items: [ItemRow], base: String) -> String {
        let id = study.id!
        let readerRows = readers.map { reader, progress in
            ["\(escape(reader.label))", "\(progress.answered) / \(progress.total)\(progress.done ? " ✓" : "")",
             "<input class=\"invite\" readonly value=\"\(escape(base))/join/\(reader.inviteToken)\"> <button type=\"button\" class=\"copy\">Copy</button>"]
        }
        let itemRows = items.map { item in
            ["\(item.ordinal + 1)", "<img class=\"thumb px\" src=\"/admin/studies/\(id)/items/\(item.id)/image.png\" alt=\"item \(item.ordinal + 1)\">",
             item.isSynthetic ? "synthetic" : "real", item.sex, ageCell(item.referenceMonths) + (item.isSynthetic ? " requested" : " true"),
             ageCell(item.cnnMonths)]
        }
        let synthetic = items.filter(\.isSynthetic).count
        let body = """
        <h1>\(escape(study.name))</h1>
        <p>\(items.count) images: \(items.count - synthetic) real, \(synthetic) synthetic; ages \(AgeText.yearsAndMonths(study.minAgeMonths))–\(AgeText.yearsAndMonths(study.maxAgeMonths));
        fraction female \(String(format: "%.2f", study.femaleFraction)); seed \(study.seed). Generator: \(escape(study.generator)).</p>
        <p class="actions"><a class="button" href="/admin/studies/\(id)/results">Results</a> <a class="button" href="/admin/studies/\(id)/answers.csv" download>Answers (CSV)</a></p>
        <h2>Readers</h2>
        \(readers.isEmpty ? "<p class=\"dim\">No readers yet. Invite each reader with a link of their own.</p>" : table(["reader", "answered", "invitation link (send it to this reader only)"], readerRows, rawCells: true))
        <form id="invite" class="inline" data-study="\(id)">
          <label>Reader's name or code <input name="label" required maxlength="80" id="readerLabel"></label>
          <button type="submit">Invite reader</button> <span id="inviteStatus" role="status"></span>
        </form>
        <details><summary>The images and their key (admin only)</summary>
        \(table(["#", "image", "truth", "sex", "age", "CNN reads"], itemRows, rawCells: true))
        </details>
        """
        return layout(title: study.name, page: "study", body: body, nav: adminNav)
    }

    static func join(token: String, reader: ReaderRecord, study: StudyRecord, progress: StudyReaders.Progress) -> String {
        let resuming = progress.answered > 0
        let body = """
        <h1>\(escape(study.name))</h1>
        <p>Welcome, \(escape(reader.label)). You will see \(progress.total) hand radiographs, one at a time. Some are real radiographs,
        some were generated by a computer. For each one:</p>
        <ol><li>say whether you think it is <b>real</b> or <b>synthetic</b>,</li>
        <li>say how sure you are, from 1 (a guess) to 5 (certain),</li>
        <li>estimate its <b>bone age</b> in years and months. The child's sex is shown; the age is not.</li></ol>
        <p>Each answer is saved when you give it and cannot be changed. You can close the tab at any time and open this link again to carry on
        where you stopped. You will see how you did only after the last image.</p>
        <p class="keys">Keys: <kbd>R</kbd> real · <kbd>S</kbd> synthetic · <kbd>1</kbd>–<kbd>5</kbd> how sure · <kbd>Enter</kbd> save and go on</p>
        <button type="button" id="start">\(resuming ? "Continue (\(progress.answered) of \(progress.total) answered)" : "Start")</button>
        <span id="status" role="status"></span>
        """
        return layout(title: study.name, page: "join", body: body, state: ["token": token], nav: "")
    }

    static func read(reader: ReaderRecord, progress: StudyReaders.Progress) -> String {
        let confidence = (1...5).map { k in
            "<button type=\"button\" class=\"conf\" data-confidence=\"\(k)\">\(k)<small>\(["a guess", "unsure", "fairly sure", "sure", "certain"][k - 1])</small></button>"
        }.joined()
        let body = """
        <div class="progress"><div id="bar"></div></div>
        <p id="progressText" class="dim">Image \(progress.answered + 1) of \(progress.total)</p>
        <div class="read-layout">
          <figure class="read-image"><canvas id="readCanvas" class="px" width="64" height="64"></canvas>
            <figcaption>Sex: <b id="sex"></b></figcaption>
            <div class="wl"><label>Window <input type="range" id="window" min="1" max="255" value="255"></label>
              <label>Level <input type="range" id="level" min="0" max="255" value="128"></label>
              <button type="button" id="resetWL">Reset</button></div>
          </figure>
          <form id="answer" class="answer" autocomplete="off">
            <fieldset><legend>Real or synthetic?</legend>
              <button type="button" class="call" data-call="real">Real <kbd>R</kbd></button>
              <button type="button" class="call" data-call="synthetic">Synthetic <kbd>S</kbd></button></fieldset>
            <fieldset><legend>How sure are you? <kbd>1</kbd>–<kbd>5</kbd></legend>\(confidence)</fieldset>
            <fieldset><legend>Bone age</legend>
              <label><input type="number" id="years" min="0" max="20" required> years</label>
              <label><input type="number" id="months" min="0" max="11" value="0" required> months</label></fieldset>
            <button type="submit" id="save">Save and go on <kbd>Enter</kbd></button>
            <p id="status" role="status"></p>
          </form>
        </div>
        """
        return layout(title: "Reading", page: "read", body: body, state: ["reader": reader.label], nav: "")
    }

    /// A finished reader's own scores. Not which image was which: other readers may not have
    /// finished, and the key stays with the admin.
    static func readerFeedback(_ results: StudyResults, reader index: Int) -> String {
        let reader = results.readers[index]
        let m = reader.metrics
        func percent(_ v: Double?) -> String { v.map { String(format: "%.0f%%", 100 * $0) } ?? "–" }
        let body = """
        <h1>Thank you</h1>
        <p>You answered all \(reader.total) images of <b>\(escape(results.study.name))</b>.</p>
        \(table(["", "you"], [
            ["correct calls", percent(m[.accuracy])],
            ["synthetic images called synthetic (sensitivity)", percent(m[.sensitivity])],
            ["real images called real (specificity)", percent(m[.specificity])],
            ["ROC AUC of your ratings (0.5 = could not tell them apart)", m[.auc].map { String(format: "%.2f", $0) } ?? "–"],
            ["bone-age error on real images (mean absolute, months)", months(m[.maeReal])],
            ["bone-age error on synthetic images against the requested age (months)", months(m[.maeSynthetic])],
        ]))
        <p class="dim">Which images were real stays with the study's organiser until every reader has finished.</p>
        """
        return layout(title: "Thank you", page: "done", body: body, nav: "")
    }
}
