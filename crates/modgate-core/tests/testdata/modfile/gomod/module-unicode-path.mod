module example.com/héllo/世界

// Ünïcödé comment ✓
go 1.21
