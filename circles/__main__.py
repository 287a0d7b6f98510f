from circles.cli import main

main(prog_name="circles")
