"""Pure-Python decisions of Relance: no Django, no I/O, no clock, no randomness."""
