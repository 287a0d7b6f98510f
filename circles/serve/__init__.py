"""`circles serve`: the app in a browser, through textual-serve, behind a token, a cookie and an
Origin check, one app process per tab, each ended with its tab."""
