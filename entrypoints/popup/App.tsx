import { ENGINE_VERSION } from '@/lib/formats/types';

export function App() {
  return (
    <main style={{ minWidth: '18rem', padding: '0.75rem', fontFamily: 'system-ui, sans-serif' }}>
      <h1 style={{ fontSize: '1rem', margin: 0 }}>Picklens</h1>
      <p>Open a model repository on huggingface.co to see what its files really are.</p>
      <p style={{ color: '#666', fontSize: '0.8rem' }}>Engine {ENGINE_VERSION}</p>
    </main>
  );
}
