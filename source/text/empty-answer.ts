/** What the execution logs (-e/-v, line mode) and the tree say of a block whose submitted answer
 * had nothing visible in it (code.done `answerRefused`): the code ran, the answer was not taken. */
export const EMPTY_ANSWER_LINE = 'final answer empty: not taken, the run goes on';
