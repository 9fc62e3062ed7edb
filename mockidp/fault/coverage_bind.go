package fault

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"net/url"
)

// A bind fault added for the attack catalogue's coverage: the SAMLResponse
// DEFLATE-compressed on the HTTP-POST binding, which saml-bindings §3.5.4
// does not allow (only the Redirect binding deflates) and which some SPs
// inflate anyway.

func init() { registerDeflateOnPost() }

func registerDeflateOnPost() {
	Register(Spec{
		Name: "deflate-on-post", Stage: StageBind,
		Summary: "post the SAMLResponse as base64 of the DEFLATE-encoded XML on the HTTP-POST binding (binding-base64-malformed, deflate-bomb-redirect): POST carries the plain XML, so the SP must refuse it (and never inflate without a bound). mode=stored writes stored blocks whose headers never hold '<' or '&', so a non-inflating SP sees the same bytes every run; mode=compressed uses best compression",
		Params:  []ParamSpec{{Name: "mode", Default: "stored", Values: []string{"stored", "compressed"}, Summary: "stored blocks (deterministic shape) or compressed"}},
		Apply: func(c *Context, f Fault) error {
			if len(c.Raw) == 0 {
				return fmt.Errorf("deflate-on-post: the serialized response (Context.Raw) is empty")
			}
			var data []byte
			switch f.Param("mode", "stored") {
			case "stored":
				data = covStoredDeflate(c.Raw)
			case "compressed":
				var b bytes.Buffer
				w, err := flate.NewWriter(&b, flate.BestCompression)
				if err != nil {
					return err
				}
				if _, err := w.Write(c.Raw); err != nil {
					return err
				}
				if err := w.Close(); err != nil {
					return err
				}
				data = b.Bytes()
			default:
				return fmt.Errorf("deflate-on-post: mode %q is not stored or compressed", f.Param("mode", ""))
			}
			if c.Form == nil {
				c.Form = url.Values{}
			}
			c.Form.Set("SAMLResponse", base64.StdEncoding.EncodeToString(data))
			return nil
		},
	})
}

// covStoredDeflate encodes raw as DEFLATE stored blocks (RFC 1951 §3.2.4) of
// at most 4096 bytes, shortening a block by one byte whenever its LEN/NLEN
// header would contain '<' or '&', so the header bytes never look like markup.
func covStoredDeflate(raw []byte) []byte {
	bad := func(b byte) bool { return b == '<' || b == '&' }
	var out []byte
	for len(raw) > 0 {
		n := min(len(raw), 4096)
		for n > 1 {
			l, nl := uint16(n), ^uint16(n)
			if !bad(byte(l)) && !bad(byte(l>>8)) && !bad(byte(nl)) && !bad(byte(nl>>8)) {
				break
			}
			n--
		}
		final := byte(0)
		if n == len(raw) {
			final = 1
		}
		l, nl := uint16(n), ^uint16(n)
		out = append(out, final, byte(l), byte(l>>8), byte(nl), byte(nl>>8))
		out = append(out, raw[:n]...)
		raw = raw[n:]
	}
	return out
}
