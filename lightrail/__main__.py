from lightrail.cli import app

app(prog_name="lightrail")
