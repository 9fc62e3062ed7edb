package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// DefaultTimeout bounds each action of a Tab.
const DefaultTimeout = 10 * time.Second

// Tab is one browser tab of a Session. Its actions take CSS selectors,
// wait (up to Timeout) for what they need, and return errors that say
// which element or page was missing.
type Tab struct {
	Name    string
	Session *Session
	// Net records the tab's traffic.
	Net *NetLog
	// Timeout bounds each action (default DefaultTimeout).
	Timeout time.Duration

	ctx    context.Context
	cancel context.CancelFunc
}

// Context is the tab's chromedp context, for actions this type lacks.
func (t *Tab) Context() context.Context { return t.ctx }

func (t *Tab) do(what string, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(t.ctx, t.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		return t.fail(what, err)
	}
	return nil
}

// fail wraps err with the tab, the action and the page it was on.
func (t *Tab) fail(what string, err error) error {
	loc := "?"
	ctx, cancel := context.WithTimeout(t.ctx, time.Second)
	defer cancel()
	if l, lerr := chromedp.Run(ctx, chromedp.Location()); lerr == nil {
		loc = l
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("not done within %s", t.Timeout)
	}
	return fmt.Errorf("tab %s: %s (on %s): %w", t.Name, what, loc, err)
}

func run[T any](t *Tab, what string, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(t.ctx, t.Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		return v, t.fail(what, err)
	}
	return v, nil
}

// Navigate opens url and waits for its load event.
func (t *Tab) Navigate(url string) error {
	return t.do("navigate to "+url, chromedp.Navigate(url))
}

// Open starts loading url (Page.navigate) and returns once the browser
// has committed to it, without waiting for the load event: wait for what
// the page must show instead. The page being left is marked, as for
// ClickToPage, so waits with LeftPage ignore it.
func (t *Tab) Open(url string) error {
	if _, err := t.Eval(`document.documentElement && document.documentElement.setAttribute('data-harness-left', '')`); err != nil {
		return err
	}
	return t.do("open "+url, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.Navigate, page.NavigateParams{URL: url})
		if err == nil && res.ErrorText != "" {
			err = errors.New(res.ErrorText)
		}
		return err
	}))
}

// NewPage restricts a selector to the page loaded after Open or
// ClickToPage.
func NewPage(sel string) string { return `html:not([data-harness-left]) :is(` + sel + `)` }

// NavigateResponse opens url and returns the HTTP status of the page.
func (t *Tab) NavigateResponse(url string) (int, error) {
	resp, err := run(t, "navigate to "+url, chromedp.NavigateResponse(url))
	if err != nil {
		return 0, err
	}
	return int(resp.Status), nil
}

// Location is the tab's URL.
func (t *Tab) Location() (string, error) { return run(t, "read the location", chromedp.Location()) }

// Title is the page's title.
func (t *Tab) Title() (string, error) { return run(t, "read the title", chromedp.Title()) }

// The element queries run in the page (Runtime.evaluate), polling every
// pollInterval: they follow the page through navigations without waiting
// for chromedp's DOM mirror to catch up.
const pollInterval = 2 * time.Millisecond

// visibleJS reports whether the first element matching the selector is
// rendered with a size (not display:none, not in a closed dialog or
// details, not visibility:hidden).
const visibleJS = `(function (s) {
  var e = document.querySelector(s);
  if (!e) { return false; }
  if (getComputedStyle(e).visibility === 'hidden') { return false; }
  var r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
})(%s)`

// poll evaluates expr until it is true.
func (t *Tab) poll(what, expr string) error {
	return t.pollFor(what, func(ctx context.Context) (bool, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	})
}

// pollFor calls check until it reports done or the tab's Timeout passes.
func (t *Tab) pollFor(what string, check func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(t.ctx, t.Timeout)
	defer cancel()
	var last error
	for {
		ok, err := check(ctx)
		if err == nil && ok {
			return nil
		}
		if err != nil && ctx.Err() == nil {
			last = err // e.g. the execution context went away mid-navigation
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return t.fail(what, fmt.Errorf("not done within %s (last error: %v)", t.Timeout, last))
			}
			return t.fail(what, fmt.Errorf("not done within %s", t.Timeout))
		case <-time.After(pollInterval):
		}
	}
}

// WaitVisible waits until an element matching sel is visible.
func (t *Tab) WaitVisible(sel string) error {
	return t.poll("wait for "+sel, fmt.Sprintf(visibleJS, jsString(sel)))
}

// WaitPresent waits until an element matching sel exists, visible or not.
func (t *Tab) WaitPresent(sel string) error {
	return t.poll("wait for "+sel, fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)))
}

// Click waits until sel is visible, scrolls it into view and clicks its
// center with the mouse (Input.dispatchMouseEvent), as a person does:
// whatever lies on top there gets the click.
func (t *Tab) Click(sel string) error {
	// One evaluation both waits for the element and locates it.
	locate := fmt.Sprintf(`(function (s) {
  var e = document.querySelector(s);
  if (!e || getComputedStyle(e).visibility === 'hidden') { return null; }
  var r = e.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) { return null; }
  if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) {
    e.scrollIntoView({block: 'center', inline: 'center'});
    r = e.getBoundingClientRect();
  }
  return [r.left + r.width / 2, r.top + r.height / 2];
})(%s)`, jsString(sel))
	var pt []float64
	if err := t.pollFor("click "+sel, func(ctx context.Context) (bool, error) {
		var err error
		pt, err = chromedp.Run(ctx, chromedp.Evaluate[[]float64](locate))
		return err == nil && len(pt) == 2, err
	}); err != nil {
		return err
	}
	return t.do("click "+sel, chromedp.MouseClickXY(pt[0], pt[1]))
}

// ClickToPage clicks sel, which loads another page (a form's submit
// button, a link), and waits until that page shows next. The page being
// left is marked first, so an element of it that also matches next (an
// earlier error banner, say) is not taken for the new page's.
func (t *Tab) ClickToPage(sel, next string) error {
	if _, err := t.Eval(`document.documentElement.setAttribute('data-harness-left', '')`); err != nil {
		return err
	}
	if err := t.Click(sel); err != nil {
		return err
	}
	return t.WaitVisible(NewPage(next))
}

// Type clicks into the empty field sel and enters text at the caret as
// keyboard input does (Input.insertText: beforeinput and input events).
func (t *Tab) Type(sel, text string) error {
	if err := t.Click(sel); err != nil {
		return err
	}
	return t.do("type into "+sel, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	}))
}

// Paste puts text on the clipboard (as a person copying it from another
// window would) and pastes it into the field sel with Ctrl+V, replacing
// what the field held.
func (t *Tab) Paste(sel, text string) error {
	if err := t.SetClipboard(text); err != nil {
		return err
	}
	return t.PasteClipboard(sel)
}

// PasteClipboard clicks into the field sel, selects what it holds and
// presses Ctrl+V.
func (t *Tab) PasteClipboard(sel string) error {
	if err := t.Click(sel); err != nil {
		return err
	}
	return t.do("paste into "+sel,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).select()`, jsString(sel))),
		chromedp.KeyEvent("v", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
}

// SetClipboard writes text to the clipboard, which the session shares
// between its tabs.
func (t *Tab) SetClipboard(text string) error {
	_, err := run(t, "write the clipboard", chromedp.Evaluate[chromedp.Void](
		fmt.Sprintf(`navigator.clipboard.writeText(%s)`, jsString(text)), chromedp.EvalAwaitPromise))
	return err
}

// Clipboard reads the clipboard.
func (t *Tab) Clipboard() (string, error) {
	return run(t, "read the clipboard", chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
}

// Select chooses the option whose value is value in the <select> sel, as
// picking it from the list does (input and change events fire).
func (t *Tab) Select(sel, value string) error {
	js := fmt.Sprintf(`(function (s, v) {
  var el = document.querySelector(s);
  if (!el) { return 'no element'; }
  if (!Array.prototype.some.call(el.options, function (o) { return o.value === v; })) {
    return 'no option ' + JSON.stringify(v) + ' among ' + JSON.stringify(Array.prototype.map.call(el.options, function (o) { return o.value; }));
  }
  el.value = v;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return '';
})(%s, %s)`, jsString(sel), jsString(value))
	if err := t.WaitVisible(sel); err != nil {
		return err
	}
	msg, err := run(t, "select "+value+" in "+sel, chromedp.Evaluate[string](js))
	if err == nil && msg != "" {
		err = t.fail("select "+value+" in "+sel, errors.New(msg))
	}
	return err
}

// SetChecked ticks or clears the checkbox sel by clicking it when needed.
func (t *Tab) SetChecked(sel string, on bool) error {
	checked, err := t.Eval(fmt.Sprintf(`!!(document.querySelector(%s) || {}).checked`, jsString(sel)))
	if err != nil {
		return err
	}
	if (checked == "true") == on {
		return nil
	}
	return t.Click(sel)
}

// Value is the value of the field sel.
func (t *Tab) Value(sel string) (string, error) {
	if err := t.WaitPresent(sel); err != nil {
		return "", err
	}
	return run(t, "read the value of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`String(document.querySelector(%s).value)`, jsString(sel))))
}

// Text is the visible text of the element sel, its white space collapsed.
func (t *Tab) Text(sel string) (string, error) {
	if err := t.WaitVisible(sel); err != nil {
		return "", err
	}
	s, err := run(t, "read the text of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%s).innerText`, jsString(sel))))
	return strings.Join(strings.Fields(s), " "), err
}

// Attr is the attribute name of the element sel ("" when absent).
func (t *Tab) Attr(sel, name string) (string, error) {
	if err := t.WaitPresent(sel); err != nil {
		return "", err
	}
	return run(t, "read "+name+" of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%s).getAttribute(%s) || ''`, jsString(sel), jsString(name))))
}

// Has reports whether the page has an element matching sel now, without
// waiting.
func (t *Tab) Has(sel string) (bool, error) {
	v, err := t.Eval(fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(sel)))
	return v == "true", err
}

// Count is how many elements match sel now.
func (t *Tab) Count(sel string) (int, error) {
	return run(t, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel))))
}

// Eval evaluates a JavaScript expression, awaiting it when it is a
// promise, and returns its value as text (JSON for objects).
func (t *Tab) Eval(expr string) (string, error) {
	raw, err := run(t, "evaluate "+abbrev(expr, 60), chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return "", err
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	return string(raw), nil
}

// Screenshot is a PNG of the whole page.
func (t *Tab) Screenshot() ([]byte, error) {
	return run(t, "take a screenshot", chromedp.FullScreenshot(100))
}

// DOM is the current document, serialized (the live DOM, scripts' changes
// included).
func (t *Tab) DOM() (string, error) {
	return t.Eval(`(document.doctype ? new XMLSerializer().serializeToString(document.doctype) + "\n" : "") +
  (document.documentElement ? document.documentElement.outerHTML : "")`)
}

// Cookies lists the cookies the browser holds for urls.
func (t *Tab) Cookies(urls ...string) ([]*network.Cookie, error) {
	return run(t, "read cookies", func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
		return res.Cookies, err
	})
}

// Download clicks sel, which starts a download, waits until the file is
// saved and returns its path and content.
func (t *Tab) Download(sel string) (string, []byte, error) {
	ctx, cancel := context.WithTimeout(t.ctx, t.Timeout)
	defer cancel()
	begun := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	if err := t.Click(sel); err != nil {
		return "", nil, err
	}
	var guid, name string
	for ev, err := range begun {
		if err != nil {
			return "", nil, t.fail("wait for the download of "+sel+" to begin", err)
		}
		guid, name = ev.GUID, ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			return "", nil, t.fail("wait for the download of "+name, err)
		}
		if ev.GUID != guid {
			continue
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			path := ev.FilePath
			if path == "" {
				path = t.Session.downloadPath(name)
			}
			data, err := os.ReadFile(filepath.Clean(path))
			if err != nil {
				return "", nil, t.fail("read the downloaded "+name, err)
			}
			return path, data, nil
		case cdpbrowser.DownloadProgressStateCanceled:
			return "", nil, t.fail("download "+name, errors.New("the browser canceled the download"))
		}
	}
	return "", nil, t.fail("download "+name, errors.New("no progress event"))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func abbrev(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
