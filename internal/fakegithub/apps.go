package fakegithub

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RegisterApp registers a GitHub App whose JWTs must be RS256-signed with
// the private half of key; its installation tokens act as slug+"[bot]".
func (f *Fake) RegisterApp(appID int64, slug string, key *rsa.PublicKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.apps[appID] = &app{id: appID, slug: slug, key: key}
}

// AddInstallation registers an installation of an App.
func (f *Fake) AddInstallation(installationID, appID int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.installs[installationID] = appID
}

// TokensMinted is how many installation tokens were issued.
func (f *Fake) TokensMinted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.minted
}

// verifyJWT checks an App JWT the way GitHub does: RS256, signed by the
// App's registered key, iss = the App ID, iat not in the future (60 s of
// skew), exp in the future and at most 10 minutes after iat.
func (f *Fake) verifyJWT(tok string) (*app, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWS compact serialization")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if hdr.Alg != "RS256" {
		return nil, fmt.Errorf("alg %q, want RS256", hdr.Alg)
	}
	var claims struct {
		Iss json.RawMessage `json:"iss"`
		Iat int64           `json:"iat"`
		Exp int64           `json:"exp"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	var iss string
	if err := json.Unmarshal(claims.Iss, &iss); err != nil {
		iss = string(claims.Iss) // GitHub accepts a number too
	}
	id, err := strconv.ParseInt(iss, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("iss %q is not an App ID", iss)
	}
	a := f.apps[id]
	if a == nil {
		return nil, fmt.Errorf("no App %d registered", id)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(a.key, crypto.SHA256, sum[:], sig); err != nil {
		return nil, fmt.Errorf("signature does not verify with App %d's key: %w", id, err)
	}
	now := f.now().Unix()
	switch {
	case claims.Iat > now+60:
		return nil, errors.New("'Issued at' claim (iat) must be an Integer representing a time in the past")
	case claims.Exp <= now:
		return nil, errors.New("'Expiration time' claim ('exp') must be a numeric value representing the future time")
	case claims.Exp-claims.Iat > 600:
		return nil, errors.New("'Expiration time' claim ('exp') is too far in the future")
	}
	return a, nil
}

func decodeSegment(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func handleAccessToken(c *call) {
	_, jwt, _ := strings.Cut(c.r.Header.Get("Authorization"), " ")
	a, err := c.f.verifyJWT(jwt)
	if err != nil {
		c.f.fail(c.r, "App JWT: "+err.Error())
		c.reply(http.StatusUnauthorized, ghError("A JSON web token could not be decoded"))
		return
	}
	id, _ := strconv.ParseInt(c.params["installation_id"], 10, 64)
	if appID, ok := c.f.installs[id]; !ok || appID != a.id {
		c.reply(http.StatusNotFound, ghError("Not Found"))
		return
	}
	var rnd [18]byte
	_, _ = rand.Read(rnd[:])
	token := "ghs_" + hex.EncodeToString(rnd[:])
	c.f.tokens[token] = a.slug + "[bot]"
	c.f.minted++
	out := c.f.example("installation-token")
	out["token"] = token
	out["expires_at"] = c.f.now().Add(time.Hour).UTC().Format(time.RFC3339)
	c.reply(http.StatusCreated, out)
}
