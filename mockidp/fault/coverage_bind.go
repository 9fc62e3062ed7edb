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
		Summary: "post the SAMLResponse as base64 of the DEFLATE-compressed XML on the HTTP-POST binding (binding-base64-malformed, deflate-bomb-redirect): POST carries the plain XML, so the SP must refuse it (and never inflate without a bound)",
		Apply: func(c *Context, f Fault) error {
			if len(c.Raw) == 0 {
				return fmt.Errorf("deflate-on-post: the serialized response (Context.Raw) is empty")
			}
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
			if c.Form == nil {
				c.Form = url.Values{}
			}
			c.Form.Set("SAMLResponse", base64.StdEncoding.EncodeToString(b.Bytes()))
			return nil
		},
	})
}
