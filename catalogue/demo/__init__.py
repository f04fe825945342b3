"""The summit demo that ships with the app: data, synthesised media and subtitles, and `flask demo load`."""
