package mockidp

// DeleteApp removes the app integration with the given ID (or external
// key): its settings, certificates, assignments and faults. Its SSO URL,
// metadata URL and tile answer 404 from then on. Like Okta's "Deactivate"
// then "Delete", it cannot be undone; a browser suite uses it to start from
// an org that has no app yet, as the setup guide does.
func (idp *IdP) DeleteApp(id string) error {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	a, err := idp.appLocked(id)
	if err != nil {
		return err
	}
	delete(idp.apps, a.ID)
	delete(idp.appByKey, a.ExternalKey)
	for i, appID := range idp.appOrder {
		if appID == a.ID {
			idp.appOrder = append(idp.appOrder[:i:i], idp.appOrder[i+1:]...)
			break
		}
	}
	return nil
}
