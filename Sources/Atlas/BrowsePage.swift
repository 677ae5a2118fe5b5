import Foundation
import ProGAN

extension Pages {
    /// Browse: sex, a bone-age slider in months (years shown), a plate of hands, the viewer with
    /// window/level, the aging strip, downloads and saved plates.
    static func browse(_ server: AtlasServer, sex: Sex, ageMonths: Int, seeds: [UInt64]?, saved: [SavedPlateRecord]) -> String {
        let plates = server.plates
        let range = plates.ageRange
        let approximate = plates.method.isApproximate
        let savedList = saved.isEmpty ? "<li class=\"dim\">None yet: set a plate up and save it.</li>"
            : saved.map { plate in
                "<li><a href=\"\(escape(AtlasServer.plateJSON(plate)["link"] as! String))\">\(escape(plate.name))</a> "
                    + "<span class=\"dim\">\(plate.sex == "F" ? "female" : "male"), \(AgeText.yearsAndMonths(plate.ageMonths))</span></li>"
            }.joined()
        let body = """
        <h1>Hands of a chosen bone age</h1>
        <p class="lead">Choose sex and bone age; the atlas generates a plate of hands of that age. Click a hand to view it at full
        resolution with window and level, or to watch it age from 1 to 18 years.</p>
        \(approximate ? "<p class=\"notice approximate\" id=\"approximate\"><b>Slower and approximate.</b> \(escape(plates.method.explanation))</p>" : "<p class=\"dim\">\(escape(plates.method.explanation))</p>")
        <form class="controls" id="controls">
          <fieldset class="sex"><legend>Sex</legend>
            <label><input type="radio" name="sex" value="F"\(sex == .female ? " checked" : "")> Female</label>
            <label><input type="radio" name="sex" value="M"\(sex == .male ? " checked" : "")> Male</label>
          </fieldset>
          <label class="age">Bone age
            <input type="range" id="age" name="age" min="\(Int(range.lowerBound))" max="\(Int(range.upperBound))" step="1" value="\(ageMonths)">
            <output id="ageText" for="age">\(AgeText.yearsAndMonths(Double(ageMonths))) (\(ageMonths) months)</output>
          </label>
          <button type="button" id="fresh">New hands</button>
          \(plates.worker.readsAge ? "<label><input type=\"checkbox\" id=\"showCNN\" checked> Show the age CNN's reading</label>" : "")
        </form>
        <section id="plate" class="plate" aria-live="polite" aria-busy="true"><p class="dim">Generating…</p></section>
        <p class="actions">
          <a id="downloadPNG" class="button" href="#" download>Download plate (PNG)</a>
          \(server.dicom != nil ? "<a id=\"downloadDICOM\" class=\"button\" href=\"#\" download>Download plate (DICOM)</a>" : "")
          <a id="permalink" href="#">Link to this plate</a>
          <span id="timing" class="dim"></span>
        </p>
        <form id="savePlate" class="inline">
          <label>Save these seeds as <input name="name" id="plateName" maxlength="80" required placeholder="e.g. girls 8 y teaching set"></label>
          <button type="submit">Save plate</button> <span id="saveStatus" role="status"></span>
        </form>
        <section id="stripSection" hidden>
          <h2 id="stripTitle">Aging</h2>
          \(approximate ? "<p class=\"dim\">Each age is found by its own direction search, so a strip takes a while.</p>" : "")
          <div class="strip-player"><img id="animation" class="px" alt="aging animation"><div>
            <button type="button" id="play">Play</button> <output id="frameAge"></output></div></div>
          <div id="strip" class="strip"></div>
        </section>
        <section><h2>Saved plates</h2><ul id="saved">\(savedList)</ul></section>
        <dialog id="viewer">
          <div class="viewer-head"><b id="viewerTitle">Hand</b> <span class="badge">SYNTHETIC</span>
            <button type="button" id="closeViewer" class="close" aria-label="Close">×</button></div>
          <canvas id="viewerCanvas" class="px" width="64" height="64"></canvas>
          <div class="wl">
            <label>Window <input type="range" id="window" min="1" max="255" value="255"> <output id="windowValue">255</output></label>
            <label>Level <input type="range" id="level" min="0" max="255" value="128"> <output id="levelValue">128</output></label>
            <label><input type="checkbox" id="invert"> Invert</label>
            <button type="button" id="resetWL">Reset</button>
          </div>
          <p class="dim">Drag on the image: left–right changes the window (contrast), up–down the level (brightness). <span id="pixel"></span></p>
          <button type="button" id="ageThis">Age this hand from 1 to 18 years</button>
        </dialog>
        """
        var state: [String: Any] = ["sex": sex.rawValue, "age": ageMonths, "readsAge": plates.worker.readsAge,
                                    "approximate": approximate, "resolution": plates.resolution]
        if let seeds { state["seeds"] = seeds.map(String.init).joined(separator: ",") }
        return layout(title: "Browse", page: "browse", body: body, state: state)
    }
}
