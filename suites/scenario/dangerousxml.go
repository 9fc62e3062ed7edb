package scenario

import (
	"fmt"
	"strings"

	"github.com/samlharness/samlharness/sp"
)

// Dangerous XML (attack catalogue §8): DTDs, entities, processing
// instructions, depth and size. Refused before any parsing work that could
// cost unbounded time or memory.

const refXML = "XML 1.0 §2.8 (document type declaration)"

func init() {
	x := func(id, title string, tags []string, e map[Profile]Expect, f ...faultT) Scenario {
		return Scenario{ID: id, Title: title, Category: CatDangerousXML, Tags: append([]string{"area:xml"}, tags...),
			Refs: []string{refXML}, IdP: IdPSide{Faults: f}, Expect: e}
	}
	forbidden := Both(Rejects(sp.ReasonXMLForbidden))
	add(
		x("doctype-internal-subset", "A DOCTYPE with an internal subset", []string{"attack:xxe"}, forbidden, F("doctype", "kind", "internal-subset")).Covering("xsw-id-via-entity", "rexml-nokogiri-doctype-quote"),
		x("xxe-external-entity", "An external entity reading a local file (XXE)", []string{"attack:xxe"}, forbidden, F("doctype", "kind", "external-entity")).Covering("xxe-external-entity"),
		x("xxe-parameter-entity", "A parameter entity fetching an external DTD", []string{"attack:xxe"}, forbidden, F("doctype", "kind", "parameter-entity")).Covering("xxe-external-entity"),
		x("billion-laughs", "Entity expansion (billion laughs)", []string{"attack:dos"}, forbidden, F("doctype", "kind", "billion-laughs")).Covering("dtd-billion-laughs"),
		x("entity-in-nameid", "An internal entity used inside the NameID", []string{"attack:xxe", "attack:comment-injection"}, forbidden, F("entity-in-nameid")).Covering("xsw-id-via-entity", "libxml2-quirks", "dtd-internal-entity-in-value"),
		x("processing-instruction", "A processing instruction inside the Response", nil, forbidden, F("processing-instruction")).Covering("processing-instruction-injection"),
		x("deep-nesting-10000", "Elements nested 10,000 deep", []string{"attack:dos"}, Both(Rejects(sp.ReasonXMLLimit)), F("deep-nesting", "depth", "10000")).Covering("xml-deep-nesting"),
		x("c14n-namespace-heavy-nesting", "A 60 KB nest of namespace declarations inserted into the signed Assertion", []string{"attack:dos"},
			Both(RejectsWith(sp.ReasonSignatureInvalid, MsgSignatureFailed)),
			F("insert-xml-after-sign", "path", "Response/Assertion", "xml", namespaceHeavyNest(60, 25))).Covering("c14n-quadratic-memory"),
		x("oversize-2mb", "A response padded to 2 MB", []string{"attack:dos"}, Both(Rejects(sp.ReasonResponseTooLarge)), F("oversize", "bytes", "2097152")).Covering("xml-huge-payload"),
	)
}

// namespaceHeavyNest builds depth nested elements, each declaring perLevel
// namespaces: the shape whose canonicalisation once cost quadratic memory.
func namespaceHeavyNest(depth, perLevel int) string {
	var b strings.Builder
	for d := 0; d < depth; d++ {
		b.WriteString("<n:e xmlns:n=\"urn:samlharness:nest\"")
		for i := 0; i < perLevel; i++ {
			fmt.Fprintf(&b, " xmlns:p%d_%d=\"urn:samlharness:ns:%d:%d\"", d, i, d, i)
		}
		b.WriteString(">")
	}
	for d := 0; d < depth; d++ {
		b.WriteString("</n:e>")
	}
	return b.String()
}
