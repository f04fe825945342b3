"""Events, workshops, people, recordings, audio tracks and chapters: what a viewer browses and watches."""
