from . import serve

serve()
