extension Collection {
    /// Every element satisfies `predicate`, and there is at least one. `allSatisfy` alone
    /// is true of an empty collection: an assertion that cannot fail when a query returned
    /// nothing.
    public func allSatisfyAndNonEmpty(_ predicate: (Element) throws -> Bool) rethrows -> Bool {
        try !isEmpty && allSatisfy(predicate)
    }
}
