from pmtool.cli import main

main()
