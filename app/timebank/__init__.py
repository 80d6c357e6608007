"""The time bank (时间银行): service records and the double-entry balance ledger."""
