/// What a subschema evaluated of the current instance, for `unevaluatedProperties` and
/// `unevaluatedItems`. Annotations of a subschema that failed are dropped by its caller.
struct Annotations {
    var properties: Set<String> = []
    var allProperties = false
    /// Items `0..<itemPrefix` were evaluated (`prefixItems`, array-form `items`).
    var itemPrefix = 0
    var allItems = false
    /// Items `contains` matched (2020-12 only).
    var itemIndices: Set<Int> = []

    mutating func merge(_ other: Annotations) {
        if other.allProperties {
            allProperties = true
        } else if !other.properties.isEmpty {
            properties.formUnion(other.properties)
        }
        itemPrefix = max(itemPrefix, other.itemPrefix)
        allItems = allItems || other.allItems
        if !other.itemIndices.isEmpty { itemIndices.formUnion(other.itemIndices) }
    }

    func evaluated(property name: String) -> Bool { allProperties || properties.contains(name) }

    func evaluated(item index: Int) -> Bool { allItems || index < itemPrefix || itemIndices.contains(index) }
}
