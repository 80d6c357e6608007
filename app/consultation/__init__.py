"""Community consultation (社区协商): topics from proposal to rated outcome."""
