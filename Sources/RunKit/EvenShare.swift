/// Part `part` of `count` items cut into `parts` contiguous ranges as evenly as possible, earlier
/// parts taking one more when the count does not divide (how ranks split batches and work).
public func evenShare(of count: Int, part: Int, parts: Int) -> Range<Int> {
    precondition(parts >= 1 && (0..<parts).contains(part), "evenShare: part \(part) outside 0..<\(parts)")
    let base = count / parts, extra = count % parts
    let start = part * base + min(part, extra)
    return start..<(start + base + (part < extra ? 1 : 0))
}
