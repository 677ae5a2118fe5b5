/// How a boy's hand differs from a girl's beyond maturity tempo and length: a broader hand with
/// broader bones, and a shorter index finger against the ring finger (a lower 2D:4D ratio).
///
/// The frame fit scales every hand to the image, which hides the 9% difference in hand length, so
/// these are the cues a reader can see. They are exaggerated over anthropometry (hand breadth over
/// length about 0.45 in men against 0.43 in women; 2D:4D about 0.95 against 0.97) so that a small CNN
/// can read sex from a 64² phantom, which the demo's sex-fidelity check needs.
struct HandDimorphism: Sendable {
    /// Multiplies the widths of bones and soft tissue.
    var breadth: Float
    /// Multiplies the phalanges of each ray (thumb first).
    var fingerLength: [Float]

    init(isMale: Bool) {
        breadth = isMale ? 1.1 : 0.9
        let indexToRing: Float = isMale ? 0.96 : 1.04
        fingerLength = [1, indexToRing, 1, 1 / indexToRing, 1]
    }
}
