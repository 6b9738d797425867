package identity

// SetHasher replaces the password hash function of s (tests only).
func SetHasher(s *Service, hash func(string) string) { s.hash = hash }
