/// Tiles images into one sheet, row by row, each cell resized to `cellSize`, with a gap between
/// cells. Empty cells stay at `background`.
public func imageGrid(_ images: [GrayImage], columns: Int, cellSize: (width: Int, height: Int)? = nil,
                      gap: Int = 2, background: Float = 0) -> GrayImage {
    precondition(columns > 0, "imageGrid: columns must be positive")
    guard let first = images.first else { return GrayImage(width: 0, height: 0, pixels: []) }
    let cell = cellSize ?? (first.width, first.height)
    let rows = (images.count + columns - 1) / columns
    let cols = Swift.min(columns, images.count)
    var sheet = GrayImage(width: cols * cell.width + (cols - 1) * gap, height: rows * cell.height + (rows - 1) * gap,
                          value: background, bitDepth: first.bitDepth)
    for (index, image) in images.enumerated() {
        let tile = image.width == cell.width && image.height == cell.height
            ? image : image.resized(width: cell.width, height: cell.height)
        sheet.paste(tile, x: (index % columns) * (cell.width + gap), y: (index / columns) * (cell.height + gap))
    }
    return sheet
}
