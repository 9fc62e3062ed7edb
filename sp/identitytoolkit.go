package sp

import (
	"encoding/json"
	"errors"
	"net/http"
)

// handleCreateAuthURI serves POST /v1/accounts:createAuthUri.
func (s *Server) handleCreateAuthURI(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, 64<<10)
	if err != nil {
		writeAPIError(w, newError(ReasonRequestInvalid, map[string]string{"what": "Invalid JSON payload received."}, "the request body is not readable or over 64 KiB: %v", err))
		return
	}
	var req CreateAuthURIRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeAPIError(w, newError(ReasonRequestInvalid, map[string]string{"what": "Invalid JSON payload received."}, "the body must be JSON {providerId, continueUri}: %v", err))
		return
	}
	resp, e := s.CreateAuthURI(r.Context(), req)
	if e != nil {
		writeAPIError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleSignInWithIdp serves POST /v1/accounts:signInWithIdp.
func (s *Server) handleSignInWithIdp(w http.ResponseWriter, r *http.Request) {
	limit := int64(4*s.cfg.MaxResponseBytes + 1<<20)
	body, err := readBody(r, limit)
	if errors.Is(err, errBodyTooLarge) {
		writeAPIError(w, newError(ReasonResponseTooLarge, nil, "the signInWithIdp request body is over %d bytes", limit))
		return
	}
	if err != nil {
		writeAPIError(w, newError(ReasonRequestInvalid, map[string]string{"what": "Invalid JSON payload received."}, "the request body is not readable: %v", err))
		return
	}
	var req SignInWithIdpRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeAPIError(w, newError(ReasonRequestInvalid, map[string]string{"what": "Invalid JSON payload received."}, "the body must be JSON {requestUri, postBody, sessionId, returnSecureToken}: %v", err))
		return
	}
	resp, e := s.SignInWithIdp(r.Context(), req)
	if e != nil {
		writeAPIError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// handleReasons serves GET /api/reasons: the reason table.
func (s *Server) handleReasons(w http.ResponseWriter, r *http.Request) {
	type row struct {
		Reason     Reason   `json:"reason"`
		Message    string   `json:"message"`
		HTTPStatus int      `json:"httpStatus"`
		Surface    Surface  `json:"surface"`
		Profiles   Profiles `json:"profiles"`
		Summary    string   `json:"summary"`
	}
	out := make([]row, len(ReasonTable))
	for i, ri := range ReasonTable {
		out[i] = row{ri.Reason, ri.Message(nil), ri.HTTPStatus, ri.Surface, ri.Profiles, ri.Summary}
	}
	writeJSON(w, http.StatusOK, map[string]any{"reasons": out})
}
