/// A count of the uploads being handled at once, with a cap: one more is refused rather than queued.
///
/// An upload holds a slot from its first body byte to its answer, so at most `capacity` bodies (each at most
/// `maxBodyBytes`) are in memory together; the route answers 503 at once, without reading, when none is free.
actor UploadSlots {
    /// The most uploads handled at once.
    let capacity: Int
    private var inUse = 0

    /// Creates a counter for `capacity` uploads (at least one).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Takes a slot if one is free; a `true` must be followed by ``release()``.
    func acquire() -> Bool {
        guard inUse < capacity else { return false }
        inUse += 1
        return true
    }

    /// Gives back a slot taken by ``acquire()``.
    func release() {
        inUse -= 1
    }
}
