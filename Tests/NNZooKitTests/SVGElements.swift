import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The elements of an SVG document, read with Foundation's `XMLParser`: fails the same way a
/// browser would on a document that is not well-formed XML.
struct SVGElements {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text: String
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    let all: [Element]

    init(_ svg: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw ParseError(
                description:
                    "not well-formed at line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "?")"
            )
        }
        all = delegate.elements
    }

    func named(_ name: String, class cssClass: String? = nil) -> [Element] {
        all.filter { $0.name == name && (cssClass == nil || $0.attributes["class"] == cssClass) }
    }

    /// The `points` of every polyline of `cssClass`, in document order.
    func polylinePoints(_ cssClass: String) -> [String] {
        named("polyline", class: cssClass).compactMap { $0.attributes["points"] }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements = [Element]()
        var open = [Int]()

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            open.append(elements.count)
            elements.append(Element(name: elementName, attributes: attributes, text: ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { elements[index].text += string }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            open.removeLast()
        }
    }
}
