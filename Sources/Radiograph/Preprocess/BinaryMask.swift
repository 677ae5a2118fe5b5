/// An axis-aligned pixel rectangle [x, x + width) × [y, y + height).
public struct PixelBox: Sendable, Equatable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var area: Int { width * height }
    public var description: String { "\(x),\(y) \(width)×\(height)" }

    /// This box grown by `fraction` of its own size on every side, then clipped to `bounds`.
    public func expanded(by fraction: Float, within bounds: (width: Int, height: Int)) -> PixelBox {
        let dx = Int((Float(width) * fraction).rounded()), dy = Int((Float(height) * fraction).rounded())
        let x0 = Swift.max(0, x - dx), y0 = Swift.max(0, y - dy)
        let x1 = Swift.min(bounds.width, x + width + dx), y1 = Swift.min(bounds.height, y + height + dy)
        return PixelBox(x: x0, y: y0, width: Swift.max(0, x1 - x0), height: Swift.max(0, y1 - y0))
    }
}

/// A binary image (1 = foreground) with the morphology and connected-component tools the hand
/// mask needs. Structuring elements are squares (separable, linear time in the radius).
public struct BinaryMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var bits: [UInt8]

    public init(width: Int, height: Int, bits: [UInt8]) {
        precondition(bits.count == width * height, "BinaryMask: \(bits.count) bits for \(width)×\(height)")
        self.width = width
        self.height = height
        self.bits = bits
    }

    public init(width: Int, height: Int, filled: Bool = false) {
        self.init(width: width, height: height, bits: [UInt8](repeating: filled ? 1 : 0, count: width * height))
    }

    /// Pixels strictly above `threshold`.
    public init(_ image: GrayImage, above threshold: Float) {
        self.init(width: image.width, height: image.height, bits: image.pixels.map { $0 > threshold ? 1 : 0 })
    }

    @inlinable public subscript(x: Int, y: Int) -> Bool {
        get { bits[y * width + x] != 0 }
        set { bits[y * width + x] = newValue ? 1 : 0 }
    }

    public var area: Int { bits.reduce(0) { $0 + Int($1) } }

    /// The tightest box around the foreground, or nil when there is none.
    public var boundingBox: PixelBox? {
        var x0 = width, y0 = height, x1 = -1, y1 = -1
        bits.withUnsafeBufferPointer { bits in
            for y in 0..<height {
                let row = y * width
                for x in 0..<width where bits[row + x] != 0 {
                    if x < x0 { x0 = x }
                    if x > x1 { x1 = x }
                    if y < y0 { y0 = y }
                    y1 = y
                }
            }
        }
        guard x1 >= 0 else { return nil }
        return PixelBox(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
    }

    public static func & (lhs: BinaryMask, rhs: BinaryMask) -> BinaryMask {
        precondition(lhs.width == rhs.width && lhs.height == rhs.height, "BinaryMask &: sizes differ")
        return BinaryMask(width: lhs.width, height: lhs.height, bits: zip(lhs.bits, rhs.bits).map { $0 & $1 })
    }

    public static func | (lhs: BinaryMask, rhs: BinaryMask) -> BinaryMask {
        precondition(lhs.width == rhs.width && lhs.height == rhs.height, "BinaryMask |: sizes differ")
        return BinaryMask(width: lhs.width, height: lhs.height, bits: zip(lhs.bits, rhs.bits).map { $0 | $1 })
    }

    public var complement: BinaryMask { BinaryMask(width: width, height: height, bits: bits.map { 1 - $0 }) }

    // MARK: Morphology

    /// Grows the foreground by a (2r+1)² square. Outside the image counts as background.
    public func dilated(radius: Int) -> BinaryMask {
        guard radius > 0 else { return self }
        return filtered(radius: radius, keepWhenAny: true)
    }

    /// Shrinks the foreground by a (2r+1)² square. Outside the image counts as foreground, so
    /// shapes touching the border are not eaten from that side.
    public func eroded(radius: Int) -> BinaryMask {
        guard radius > 0 else { return self }
        return filtered(radius: radius, keepWhenAny: false)
    }

    /// Erosion then dilation: removes foreground thinner than 2r+1 pixels.
    public func opened(radius: Int) -> BinaryMask { eroded(radius: radius).dilated(radius: radius) }

    /// Dilation then erosion: closes gaps narrower than 2r+1 pixels.
    public func closed(radius: Int) -> BinaryMask { dilated(radius: radius).eroded(radius: radius) }

    /// Separable running-count filter: dilation sets a pixel when any neighbour in the window is
    /// set; erosion clears it when any neighbour is clear.
    private func filtered(radius: Int, keepWhenAny dilate: Bool) -> BinaryMask {
        let width = width, height = height
        // Count the pixels that differ from the "neutral" value in each window.
        let target: UInt8 = dilate ? 1 : 0
        var horizontal = [UInt8](repeating: 0, count: width * height)
        bits.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = y * width
                    var count = 0
                    for x in 0..<Swift.min(radius, width) where source[row + x] == target { count += 1 }
                    for x in 0..<width {
                        let entering = x + radius, leaving = x - radius - 1
                        if entering < width && source[row + entering] == target { count += 1 }
                        if leaving >= 0 && source[row + leaving] == target { count -= 1 }
                        out[row + x] = count > 0 ? target : 1 - target
                    }
                }
            }
        }
        var result = [UInt8](repeating: 0, count: width * height)
        horizontal.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { out in
                var counts = [Int](repeating: 0, count: width)
                counts.withUnsafeMutableBufferPointer { counts in
                    for y in 0..<Swift.min(radius, height) {
                        for x in 0..<width where source[y * width + x] == target { counts[x] += 1 }
                    }
                    for y in 0..<height {
                        let entering = y + radius, leaving = y - radius - 1
                        if entering < height {
                            let row = entering * width
                            for x in 0..<width where source[row + x] == target { counts[x] += 1 }
                        }
                        if leaving >= 0 {
                            let row = leaving * width
                            for x in 0..<width where source[row + x] == target { counts[x] -= 1 }
                        }
                        let row = y * width
                        for x in 0..<width { out[row + x] = counts[x] > 0 ? target : 1 - target }
                    }
                }
            }
        }
        return BinaryMask(width: width, height: height, bits: result)
    }

    /// Sets every background pixel that cannot be reached from the image border through background
    /// (4-connected): the holes inside shapes.
    public func holesFilled() -> BinaryMask {
        var outside = [UInt8](repeating: 0, count: width * height)
        var stack: [Int] = []
        func push(_ index: Int) {
            if bits[index] == 0 && outside[index] == 0 {
                outside[index] = 1
                stack.append(index)
            }
        }
        for x in 0..<width {
            push(x)
            push((height - 1) * width + x)
        }
        for y in 0..<height {
            push(y * width)
            push(y * width + width - 1)
        }
        while let index = stack.popLast() {
            let x = index % width, y = index / width
            if x > 0 { push(index - 1) }
            if x < width - 1 { push(index + 1) }
            if y > 0 { push(index - width) }
            if y < height - 1 { push(index + width) }
        }
        return BinaryMask(width: width, height: height, bits: outside.map { 1 - $0 })
    }

    // MARK: Connected components

    /// 8-connected components of the foreground: a label per pixel (0 = background, 1… = component)
    /// and each component's statistics, in label order.
    public func components() -> (labels: [Int32], components: [MaskComponent]) {
        var labels = [Int32](repeating: 0, count: width * height)
        var components: [MaskComponent] = []
        var stack: [Int] = []
        for start in 0..<(width * height) where bits[start] != 0 && labels[start] == 0 {
            let label = Int32(components.count + 1)
            var component = MaskComponent(label: label, area: 0,
                                          box: PixelBox(x: start % width, y: start / width, width: 1, height: 1),
                                          touchesBorder: false)
            var x0 = width, y0 = height, x1 = 0, y1 = 0
            labels[start] = label
            stack.append(start)
            while let index = stack.popLast() {
                let x = index % width, y = index / width
                component.area += 1
                x0 = Swift.min(x0, x); x1 = Swift.max(x1, x)
                y0 = Swift.min(y0, y); y1 = Swift.max(y1, y)
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0 && ny < height else { continue }
                    for dx in -1...1 {
                        let nx = x + dx
                        guard nx >= 0 && nx < width else { continue }
                        let neighbour = ny * width + nx
                        if bits[neighbour] != 0 && labels[neighbour] == 0 {
                            labels[neighbour] = label
                            stack.append(neighbour)
                        }
                    }
                }
            }
            component.box = PixelBox(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
            component.touchesBorder = x0 == 0 || y0 == 0 || x1 == width - 1 || y1 == height - 1
            components.append(component)
        }
        return (labels, components)
    }

    /// Only the component with this label.
    public static func component(_ label: Int32, of labels: [Int32], width: Int, height: Int) -> BinaryMask {
        BinaryMask(width: width, height: height, bits: labels.map { $0 == label ? 1 : 0 })
    }

    /// The largest 8-connected component (empty when there is no foreground).
    public func largestComponent() -> BinaryMask {
        let (labels, components) = components()
        guard let largest = components.max(by: { $0.area < $1.area }) else { return self }
        return Self.component(largest.label, of: labels, width: width, height: height)
    }

    /// Foreground pixels of `self` connected to `seed` (morphological reconstruction by flooding).
    public func reconstructed(from seed: BinaryMask) -> BinaryMask {
        reconstructed(from: seed, steps: .max)
    }

    /// Foreground pixels of `self` reachable from `seed` in at most `steps` 8-connected moves
    /// through the foreground (geodesic dilation, `steps` times).
    public func reconstructed(from seed: BinaryMask, steps: Int) -> BinaryMask {
        precondition(seed.width == width && seed.height == height, "reconstructed: sizes differ")
        var reached = (seed & self).bits
        var frontier: [Int] = reached.indices.filter { reached[$0] != 0 }
        for _ in 0..<steps {
            var next: [Int] = []
            for index in frontier {
                let x = index % width, y = index / width
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0 && ny < height else { continue }
                    for dx in -1...1 {
                        let nx = x + dx
                        guard nx >= 0 && nx < width else { continue }
                        let neighbour = ny * width + nx
                        if bits[neighbour] != 0 && reached[neighbour] == 0 {
                            reached[neighbour] = 1
                            next.append(neighbour)
                        }
                    }
                }
            }
            if next.isEmpty { break }
            frontier = next
        }
        return BinaryMask(width: width, height: height, bits: reached)
    }

    /// Area of the convex hull of the foreground's pixel squares (0 when empty).
    public var convexHullArea: Double {
        var points: [(Double, Double)] = []
        for y in 0..<height {
            var first = -1, last = -1
            for x in 0..<width where bits[y * width + x] != 0 {
                if first < 0 { first = x }
                last = x
            }
            guard first >= 0 else { continue }
            points += [(Double(first), Double(y)), (Double(first), Double(y + 1)),
                       (Double(last + 1), Double(y)), (Double(last + 1), Double(y + 1))]
        }
        guard points.count >= 3 else { return 0 }
        points.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        func cross(_ o: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        }
        var hull: [(Double, Double)] = []
        for point in points {
            while hull.count >= 2 && cross(hull[hull.count - 2], hull[hull.count - 1], point) <= 0 { hull.removeLast() }
            hull.append(point)
        }
        let lowerCount = hull.count + 1
        for point in points.reversed().dropFirst() {
            while hull.count >= lowerCount && cross(hull[hull.count - 2], hull[hull.count - 1], point) <= 0 { hull.removeLast() }
            hull.append(point)
        }
        hull.removeLast()
        var twiceArea = 0.0
        for index in hull.indices {
            let a = hull[index], b = hull[(index + 1) % hull.count]
            twiceArea += a.0 * b.1 - b.0 * a.1
        }
        return abs(twiceArea) / 2
    }
}

/// One connected component of a `BinaryMask`.
public struct MaskComponent: Sendable, Equatable {
    public var label: Int32
    public var area: Int
    public var box: PixelBox
    public var touchesBorder: Bool
}
