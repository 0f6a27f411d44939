"""Side-by-side planning-quality benchmark: Fleetline, OR-Tools and VROOM on VRPTW."""
