//! Aged balance and DSO. TODO(helper): implement.
