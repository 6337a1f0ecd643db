/**
 * Test support: which function components rendered in each React commit, read from the fiber tree
 * through the hook React DevTools uses (installed before react-dom loads). A component counts as
 * rendered when React did work on it in that commit (the `PerformedWork` flag DevTools reads);
 * subtrees React did not clone were not visited at all. Never imported by production code.
 */

interface Fiber {
  tag: number;
  flags: number;
  type: unknown;
  child: Fiber | null;
  sibling: Fiber | null;
  alternate: Fiber | null;
}

const FUNCTION_COMPONENT = 0;
const SIMPLE_MEMO_COMPONENT = 15;
const PERFORMED_WORK = 1;

function nameOf(fiber: Fiber): string {
  const type = fiber.type as { displayName?: string; name?: string } | null;
  return type?.displayName ?? type?.name ?? 'anonymous';
}

function visit(fiber: Fiber, rendered: string[]): void {
  const isComponent = fiber.tag === FUNCTION_COMPONENT || fiber.tag === SIMPLE_MEMO_COMPONENT;
  const didWork = fiber.alternate === null || (fiber.flags & PERFORMED_WORK) !== 0;
  if (isComponent && didWork) rendered.push(nameOf(fiber));
  // Children React did not clone this commit were not rendered, nor anything below them.
  if (fiber.alternate !== null && fiber.alternate.child === fiber.child) return;
  for (let child = fiber.child; child; child = child.sibling) visit(child, rendered);
}

/** The components rendered since the last `take()`, one entry per render. */
export interface RenderProbe {
  take(): string[];
}

/** Installs the probe as the DevTools hook; call before `react-dom` is first imported. */
export function installRenderProbe(): RenderProbe {
  let rendered: string[] = [];
  const hook = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject: () => 1,
    checkDCE: () => undefined,
    onScheduleFiberRoot: () => undefined,
    onCommitFiberUnmount: () => undefined,
    onPostCommitFiberRoot: () => undefined,
    onCommitFiberRoot(_id: number, root: { current: Fiber }) {
      visit(root.current, rendered);
    },
  };
  Object.assign(globalThis, { __REACT_DEVTOOLS_GLOBAL_HOOK__: hook });
  return {
    take() {
      const out = rendered;
      rendered = [];
      return out;
    },
  };
}
