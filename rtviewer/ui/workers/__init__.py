"""Work off the GUI thread: scan, load, network jobs, background results, detached threads."""
