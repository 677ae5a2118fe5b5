/// A labelled grid of images: an optional title on top, then the cells row by row, each with an
/// optional one-line caption under its image (e.g. "id 1377 · 96 mo · M"). Used for nearest-neighbour
/// sheets, before/after previews and progress grids.
public struct ContactSheet: Sendable {
    public struct Cell: Sendable {
        public var image: GrayImage
        public var caption: String?

        public init(_ image: GrayImage, caption: String? = nil) {
            self.image = image
            self.caption = caption
        }
    }

    public var columns: Int
    /// Size of every image slot; nil takes the first image's size. Images keep their aspect ratio:
    /// each is scaled to fit its slot and centred in it.
    public var cellWidth: Int?
    public var cellHeight: Int?
    public var title: String?
    /// Pixels between cells and around the sheet.
    public var gap: Int
    /// Scale of caption text (font pixels are `textScale`×`textScale`); the title is twice that.
    public var textScale: Int
    public var background: Float
    public var ink: Float

    public init(columns: Int, cellWidth: Int? = nil, cellHeight: Int? = nil, title: String? = nil, gap: Int = 4,
                textScale: Int = 1, background: Float = 0, ink: Float = 1) {
        self.columns = columns
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
        self.title = title
        self.gap = gap
        self.textScale = textScale
        self.background = background
        self.ink = ink
    }

    public var titleScale: Int { 2 * textScale }

    /// Draws the sheet. Captions too wide for a cell are cut and end in "..".
    public func render(_ cells: [Cell]) -> GrayImage {
        precondition(columns > 0, "ContactSheet: columns must be positive, got \(columns)")
        precondition(gap >= 0 && textScale > 0, "ContactSheet: gap must be ≥ 0 and textScale > 0")
        let slotWidth = cellWidth ?? cells.first?.image.width ?? 0
        let slotHeight = cellHeight ?? cells.first?.image.height ?? 0
        precondition(cells.isEmpty || (slotWidth > 0 && slotHeight > 0),
                     "ContactSheet: cell size \(slotWidth)×\(slotHeight) must be positive")

        let rows = (cells.count + columns - 1) / columns
        let usedColumns = Swift.min(columns, cells.count)
        let captionBand = cells.contains { !($0.caption ?? "").isEmpty }
            ? gap + BitmapFont.height(of: "", scale: textScale) : 0
        let rowPitch = slotHeight + captionBand + gap
        let gridWidth = usedColumns == 0 ? 0 : usedColumns * (slotWidth + gap) - gap
        let gridHeight = rows == 0 ? 0 : rows * rowPitch - gap

        let titleText = title ?? ""
        let titleWidth = BitmapFont.width(of: titleText, scale: titleScale)
        let titleBand = titleText.isEmpty ? 0 : BitmapFont.height(of: titleText, scale: titleScale) + gap
        guard gridWidth > 0 || titleWidth > 0 else { return GrayImage(width: 0, height: 0, pixels: []) }

        let contentWidth = Swift.max(gridWidth, titleWidth)
        var sheet = GrayImage(width: contentWidth + 2 * gap, height: titleBand + gridHeight + 2 * gap,
                              value: background, bitDepth: cells.first?.image.bitDepth ?? 8)
        if !titleText.isEmpty {
            sheet.drawText(titleText, x: gap + (contentWidth - titleWidth) / 2, y: gap, scale: titleScale, value: ink)
        }
        let gridX = gap + (contentWidth - gridWidth) / 2
        let gridY = gap + titleBand
        for (index, cell) in cells.enumerated() {
            let slotX = gridX + (index % columns) * (slotWidth + gap)
            let slotY = gridY + (index / columns) * rowPitch
            let fitted = Self.fit(cell.image, width: slotWidth, height: slotHeight)
            sheet.paste(fitted, x: slotX + (slotWidth - fitted.width) / 2, y: slotY + (slotHeight - fitted.height) / 2)
            if let caption = cell.caption, !caption.isEmpty {
                let line = BitmapFont.truncated(String(caption.map { $0 == "\n" ? " " : $0 }),
                                                toWidth: slotWidth, scale: textScale)
                let lineWidth = BitmapFont.width(of: line, scale: textScale)
                sheet.drawText(line, x: slotX + (slotWidth - lineWidth) / 2, y: slotY + slotHeight + gap,
                               scale: textScale, value: ink)
            }
        }
        return sheet
    }

    /// `image` scaled (aspect ratio kept) to the largest size that fits width × height.
    static func fit(_ image: GrayImage, width: Int, height: Int) -> GrayImage {
        guard image.width > 0, image.height > 0 else { return image }
        if image.width == width && image.height == height { return image }
        let scale = Swift.min(Double(width) / Double(image.width), Double(height) / Double(image.height))
        let fittedWidth = Swift.max(1, Swift.min(width, Int((Double(image.width) * scale).rounded())))
        let fittedHeight = Swift.max(1, Swift.min(height, Int((Double(image.height) * scale).rounded())))
        return image.resized(width: fittedWidth, height: fittedHeight)
    }
}
