module example.com/labs

go 1.21
