/* The floor of the benchmark: a static C binary that does nothing. Exec'ing it
 * costs what any hook costs before its first line of code runs. */
int main(void) {
    return 0;
}
