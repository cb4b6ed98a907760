/* Removed once the object model lands. */
int weir_rt_placeholder;
