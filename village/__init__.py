"""The registry: villages, households (建档立卡户) and their members, staff."""
