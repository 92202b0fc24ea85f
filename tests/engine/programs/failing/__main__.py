settings = {}
print(settings["missing"])
