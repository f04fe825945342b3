"""Interface translations: the gettext catalogues under translations/ and the commands that maintain them."""
